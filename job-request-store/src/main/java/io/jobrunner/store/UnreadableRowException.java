package io.jobrunner.store;

import java.sql.SQLException;

/**
 * A row the store found but could not turn into its object: a value no version of jobrunner writes
 * (bytes of the file overwritten, or the row changed by hand). Carries the table and the row's key so
 * the error can name them. Immutable.
 */
final class UnreadableRowException extends SQLException {

    private final String table;
    private final String key;

    UnreadableRowException(String table, String key, Throwable cause) {
        super(table + " row " + key + " cannot be read (" + cause.getMessage() + ")", cause);
        this.table = table;
        this.key = key;
    }

    String table() {
        return table;
    }

    /** The row's id, or a schedule's name. */
    String key() {
        return key;
    }
}
