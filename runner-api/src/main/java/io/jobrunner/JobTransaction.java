package io.jobrunner;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The caller's open database transaction, as {@link JobRunner#inTransaction} lends it: jobs
 * dispatched here are stored through the transaction's connection and handed off only after it
 * commits. Not thread-safe; valid only inside the work it was given to.
 */
public final class JobTransaction {

    private final JobRunner runner;
    private final Connection connection;
    private final List<JobRequest> dispatched = new ArrayList<>();

    JobTransaction(JobRunner runner, Connection connection) {
        this.runner = runner;
        this.connection = connection;
    }

    /** The transaction's connection, for the caller's own statements. */
    public Connection connection() {
        return connection;
    }

    /** Stores the job in this transaction; it is handed off once the transaction commits. */
    public JobRequest dispatchJob(JobData data) {
        JobRequest request = runner.dispatchJob(connection, data);
        dispatched.add(request);
        return request;
    }

    List<JobRequest> dispatched() {
        return dispatched;
    }

    /** The work done inside {@link JobRunner#inTransaction}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(JobTransaction transaction) throws SQLException;
    }

    /** Runs the work in a transaction on the connection; commits, then hands off, or rolls back and hands off nothing. */
    static <T> T run(JobRunner runner, Connection connection, Work<T> work) {
        JobTransaction transaction = new JobTransaction(runner, connection);
        T result;
        try {
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                result = work.run(transaction);
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollBack(connection, e);
                throw e;
            } finally {
                if (autoCommit) {
                    connection.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new JobStoreException("The transaction failed and was rolled back; no job of it was stored or "
                    + "handed off: " + e.getMessage(), e);
        }
        runner.handOff(transaction.dispatched());
        return result;
    }

    private static void rollBack(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
