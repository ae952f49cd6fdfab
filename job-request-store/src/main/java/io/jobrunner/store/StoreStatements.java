package io.jobrunner.store;

import io.jobrunner.JobAttempt;
import java.util.Collections;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The job request state machine, once, as SQL: every transition for both stores, written with the
 * few expressions in which PostgreSQL and SQLite differ taken from the {@link SqlDialect}. Every
 * transition is one conditional {@code UPDATE … RETURNING *}; the ones that end an attempt append
 * it to {@code attempt_history} in the same statement. Immutable.
 */
final class StoreStatements {

    static final String UNLESS_KEY_STORED = " ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING RETURNING *";
    static final String LEASE_HELD = " WHERE id = :id AND status = 'running' AND locked_by = :owner AND attempts = :attempt";

    final SqlDialect dialect;
    /** Positional: job_type, queue_name, payload, dedup_key, run_at (epoch ms or null), max_attempts, runner, hand_off_target, handed off. */
    final String insert;
    final String retry;
    final String claimable;
    final String claimSet;
    final String abandonedError;
    final String finish;

    StoreStatements(SqlDialect dialect) {
        this.dialect = dialect;
        String now = dialect.now();
        this.insert = "INSERT INTO job_request (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner,"
                + " hand_off_target, handed_off_at) VALUES (?, ?, " + dialect.json("?") + ", ?, coalesce("
                + dialect.fromEpochMillis("?") + ", " + now + "), ?, ?, ?, CASE WHEN ? THEN " + now + " END)";
        this.retry = "UPDATE job_request SET status = 'queued', run_at = " + now + ", max_attempts = attempts + max_attempts,"
                + " progress = 0, finished_at = NULL, locked_by = NULL, locked_until = NULL, cancel_requested = false,"
                + " handed_off_at = NULL, updated_at = " + now + " WHERE id = ? AND status IN ('failed', 'cancelled') RETURNING *";
        this.claimable = "((status = 'queued' AND run_at <= " + now + ") OR (status = 'running' AND locked_until < " + now
                + " AND attempts < max_attempts))";
        this.abandonedError = "'Abandoned: the lease of attempt ' || attempts || ' of ' || max_attempts || ' held by '"
                + " || coalesce(locked_by, '?') || ' expired; the worker died, stopped or timed out mid-run'";
        this.claimSet = "SET status = 'running', attempts = attempts + 1, locked_by = :owner, locked_until = "
                + dialect.nowPlusMillis(":leaseMs") + ", started_at = coalesce(started_at, " + now + "),"
                + " attempt_started_at = " + now + ", updated_at = " + now + ","
                + " last_error = CASE WHEN status = 'running' THEN " + abandonedError + " ELSE last_error END,"
                + " attempt_history = CASE WHEN status = 'running' THEN " + appendAttempt("'abandoned'", abandonedError)
                + " ELSE attempt_history END";
        this.finish = ", locked_until = NULL, finished_at = " + now + ", updated_at = " + now;
    }

    String now() {
        return dialect.now();
    }

    /** {@code attempt_history} plus the attempt ending now, from the row's values before the update. */
    String appendAttempt(String outcomeSql, String errorSql) {
        return dialect.appendToJsonArray("attempt_history", dialect.jsonObject("'attempt', attempts, 'worker', locked_by,"
                + " 'startedAt', " + dialect.toEpochMillis("attempt_started_at") + ", 'finishedAt', "
                + dialect.toEpochMillis(dialect.now()) + ", 'outcome', " + outcomeSql + ", 'error', " + errorSql));
    }

    /** {@code " attempt_history = …,"} recording the attempt with {@code outcome} and the bound {@code :attemptError}. */
    String recordAttempt(JobAttempt.Outcome outcome) {
        return " attempt_history = " + appendAttempt("'" + outcome.dbValue() + "'", "cast(:attemptError AS text)") + ",";
    }

    String insertInto(String table, boolean withDedupKey) {
        String sql = table.equals("job_request") ? insert : insert.replace("INTO job_request", "INTO " + table);
        return sql + (withDedupKey ? UNLESS_KEY_STORED : " RETURNING *");
    }

    /**
     * A multi-row insert of {@code count} rows (each bound like {@link #insert}) that skips rows
     * whose dedup key is stored, returning the rows it inserted.
     */
    String insertRows(int count) {
        String values = insert.substring(insert.indexOf(" VALUES ") + " VALUES ".length());
        String head = insert.substring(0, insert.indexOf(" VALUES ") + " VALUES ".length());
        return head + String.join(", ", Collections.nCopies(count, values)) + UNLESS_KEY_STORED;
    }

    /** {@code (:name0, :name1, …)} for binding a list of {@code count} values one by one. */
    static String inList(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> ":" + name + i).collect(Collectors.joining(", ", "(", ")"));
    }
}
