package io.jobrunner.store;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStoreException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.postgresql.PGStatement;

/**
 * What every part of {@link JdbiJobRequestStore} works through: the data source, JDBI over it, the
 * statements of its dialect, the row mapper, and how a failure is reported (naming the action and
 * the store). Thread-safe.
 */
final class StoreAccess {

    /** The order claims take due requests in ({@link StoreStatements#CLAIM_ORDER}): higher priority, then earlier due, then older. */
    static final Comparator<JobRequest> CLAIM_ORDER = Comparator.comparingInt(JobRequest::priority).reversed()
            .thenComparing(JobRequest::runAt).thenComparingLong(JobRequest::id);

    private static final StatementCustomizer PLANNED_EACH_RUN = new StatementCustomizer() {
        @Override
        public void beforeExecution(PreparedStatement statement, StatementContext context) throws SQLException {
            planEachRun(statement);
        }
    };

    final DataSource dataSource;
    final Jdbi jdbi;
    final StoreStatements sql;
    final JobRequestRowMapper rows;
    final String description;
    /** The embedded store's file, or {@code null} (PostgreSQL, in memory). */
    final Path file;

    StoreAccess(DataSource dataSource, SqlDialect dialect, String description, Path file) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.sql = new StoreStatements(dialect);
        this.rows = new JobRequestRowMapper(dialect);
        this.description = description;
        this.file = file;
        this.jdbi.registerRowMapper(JobRequest.class, rows);
        // The SQL here has no <attribute> templates; skipping the template pass saves CPU on every statement.
        this.jdbi.getConfig(SqlStatements.class).setTemplateEngine(TemplateEngine.NOP);
        // An error names what failed, never the statement or its bound values (payloads, results, messages).
        this.jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
    }

    boolean postgres() {
        return sql.dialect == SqlDialect.POSTGRESQL;
    }

    /** Runs {@code body}; a JDBI failure becomes a {@link JobStoreException} saying what could not be done where. */
    <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (JdbiException e) {
            throw failed(action, e);
        }
    }

    JobStoreException failed(String action, Exception cause) {
        String failed = "Could not " + action + " in " + description + ": ";
        UnreadableRowException row = find(cause, UnreadableRowException.class);
        if (row != null) {
            return new JobStoreException(failed + row.getMessage() + ". " + unreadable(row), cause);
        }
        SQLException sql = find(cause, SQLException.class);
        if (sql != null && file != null && isDamage(sql)) {
            return new JobStoreException(failed + "the file is damaged (" + sql.getMessage() + "). " + wayOut(file),
                    cause);
        }
        return new JobStoreException(failed + cause.getMessage(), cause);
    }

    /** What to do about a row no version of jobrunner writes. */
    private String unreadable(UnreadableRowException row) {
        String where = row.table().equals("job_schedule") ? "name = " + row.key() : "id = " + row.key();
        if (file == null) {
            return "The row holds a value jobrunner never writes (changed by hand?): correct it, or delete it"
                    + " (DELETE FROM " + row.table() + " WHERE " + where + "). 'jobrunner check' lists every such row";
        }
        return "Bytes of the file may be damaged: 'jobrunner check' lists every unreadable row. Delete this one (sqlite3 "
                + file + " \"DELETE FROM " + row.table() + " WHERE " + where + "\"), or "
                + wayOut(file);
    }

    /**
     * True for SQLite's "damaged" results ({@code SQLITE_CORRUPT} and its extended codes,
     * {@code SQLITE_NOTADB}), read from the error code so this class needs no SQLite classes: the
     * function jar has none.
     */
    static boolean isDamage(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == 11 || primary == 26;
    }

    /** What to do with a damaged embedded store: restore, salvage with SQLite's own tool, or start empty. */
    static String wayOut(Path file) {
        return "Restore it from a backup, or salvage what SQLite can read: sqlite3 " + file + " .recover | sqlite3 "
                + file + ".recovered, then move " + file + ".recovered in its place. To start with an empty store"
                + " instead, move the damaged file aside (mv " + file + " " + file + ".damaged); the jobs in it will"
                + " then not run";
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * A statement whose best plan depends on how many rows the table holds right now — a queue table
     * goes from empty to millions of rows in seconds — is planned on every run: never left to a plan
     * the driver's prepared statement cached while the table looked different (a whole-table scan
     * planned while it was empty, still in use through the burst that follows). Statements that
     * reach rows by id keep their cached plans.
     */
    static <T extends SqlStatement<T>> T planned(T statement) {
        return statement.addCustomizer(PLANNED_EACH_RUN);
    }

    /** Keeps the driver from preparing the statement on the server, so PostgreSQL plans each run of it. */
    static void planEachRun(PreparedStatement statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
    }

    /** Binds {@code values} as {@code :name0}, {@code :name1} … (see {@link StoreStatements#inList}). */
    static <S extends SqlStatement<S>> S bindEach(S statement, String name, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            statement.bind(name + i, values.get(i));
        }
        return statement;
    }
}
