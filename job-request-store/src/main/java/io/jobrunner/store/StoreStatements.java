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
    /**
     * What a bulk insert reads back; the rest of a new row is what was inserted. A one-row insert
     * also reads back the payload as the database stores it, so it returns what a later read does.
     */
    static final String INSERTED_COLUMNS = "id, dedup_key, job_type, run_at, created_at, handed_off_at";
    static final String LEASE_HELD = " WHERE id = :id AND status = 'running' AND locked_by = :owner AND attempts = :attempt";

    final SqlDialect dialect;
    /** Positional: job_type, queue_name, payload, dedup_key, run_at (epoch ms or null), max_attempts, runner, hand_off_target, handed off. */
    final String insert;
    final String retry;
    final String claimable;
    final String claimSet;
    final String abandonedError;
    final String finish;
    /** A success: the bound {@code :result} and {@code :message}, the attempt recorded without error. */
    final String succeedSet;
    /** PostgreSQL's bulk insert; see {@link #insertUnnest()}. */
    final String insertUnnest;
    /**
     * PostgreSQL's success of many attempts: five arrays (ids, owners, attempts, results, messages);
     * each row updated only while its lease is held, as by {@link #succeedSet}.
     */
    final String succeedMany;

    StoreStatements(SqlDialect dialect) {
        this.dialect = dialect;
        String now = dialect.now();
        this.insert = "INSERT INTO job_request (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner,"
                + " hand_off_target, handed_off_at) VALUES (?, ?, " + dialect.json("?") + ", ?, coalesce("
                + dialect.fromEpochMillis("?") + ", " + now + "), ?, ?, ?, CASE WHEN ? THEN " + now + " END)";
        this.retry = "UPDATE job_request SET status = 'queued', run_at = " + now + ", max_attempts = attempts + max_attempts,"
                + " progress = 0, finished_at = NULL, locked_by = NULL, locked_until = NULL, cancel_requested = false,"
                + " handed_off_at = NULL, updated_at = " + now + " WHERE id = ? AND status IN ('failed', 'cancelled') RETURNING *";
        // Written as a CASE so no index on status can serve it: claims by id must read rows by primary
        // key. As an OR of status conditions, a planner whose statistics predate a burst of new rows
        // scans every queued row and filters them by id (10,000 rows for a claim of ten).
        this.claimable = "CASE status WHEN 'queued' THEN run_at <= " + now + " WHEN 'running' THEN locked_until < " + now
                + " AND attempts < max_attempts ELSE false END";
        this.abandonedError = "'Abandoned: the lease of attempt ' || attempts || ' of ' || max_attempts || ' held by '"
                + " || coalesce(locked_by, '?') || ' expired; the worker died, stopped or timed out mid-run'";
        this.claimSet = "SET status = 'running', attempts = attempts + 1, locked_by = :owner, locked_until = "
                + dialect.nowPlusMillis(":leaseMs") + ", started_at = coalesce(started_at, " + now + "),"
                + " attempt_started_at = " + now + ", updated_at = " + now + ","
                + " last_error = CASE WHEN status = 'running' THEN " + abandonedError + " ELSE last_error END,"
                + " attempt_history = CASE WHEN status = 'running' THEN " + appendAttempt("'abandoned'", abandonedError)
                + " ELSE attempt_history END";
        this.finish = ", locked_until = NULL, finished_at = " + now + ", updated_at = " + now;
        this.succeedSet = succeedSet(":result", ":message");
        this.insertUnnest = insertUnnest();
        this.succeedMany = "UPDATE job_request " + succeedSet("v.v_result", "v.v_message")
                + " FROM unnest(cast(? AS bigint[]), cast(? AS text[]), cast(? AS int[]), cast(? AS text[]), cast(? AS text[]))"
                + " AS v(v_id, v_owner, v_attempt, v_result, v_message)"
                + " WHERE job_request.id = v.v_id AND job_request.status = 'running' AND job_request.locked_by = v.v_owner"
                + " AND job_request.attempts = v.v_attempt RETURNING job_request.*";
    }

    /** {@code SET …} of a success, from the SQL of its result JSON and message; the stored message stays when none. */
    private String succeedSet(String resultJsonSql, String messageSql) {
        return "SET attempt_history = " + appendAttempt("'" + JobAttempt.Outcome.SUCCEEDED.dbValue() + "'",
                "cast(NULL AS text)") + ", status = 'succeeded', progress = 100, result = " + dialect.json(resultJsonSql)
                + ", result_message = coalesce(" + messageSql + ", result_message)" + finish;
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
        return insertInto(table, withDedupKey, false);
    }

    /** @param notify whether the inserted row also sends {@code pg_notify} to the channel bound as the tenth parameter */
    String insertInto(String table, boolean withDedupKey, boolean notify) {
        String sql = table.equals("job_request") ? insert : insert.replace("INTO job_request", "INTO " + table);
        String returning = "RETURNING " + INSERTED_COLUMNS + ", payload" + (notify ? ", pg_notify(?, '')" : "");
        return sql + (withDedupKey ? UNLESS_KEY_STORED : " RETURNING *").replace("RETURNING *", returning);
    }

    /**
     * A multi-row insert of {@code count} rows (each bound like {@link #insert}) that skips rows
     * whose dedup key is stored, returning the rows it inserted.
     */
    String insertRows(int count) {
        String values = insert.substring(insert.indexOf(" VALUES ") + " VALUES ".length());
        String head = insert.substring(0, insert.indexOf(" VALUES ") + " VALUES ".length());
        return head + String.join(", ", Collections.nCopies(count, values))
                + UNLESS_KEY_STORED.replace("RETURNING *", "RETURNING " + INSERTED_COLUMNS);
    }

    /**
     * PostgreSQL's bulk insert: the rows as nine arrays ({@code text[]} job types, queues, payloads,
     * dedup keys; {@code bigint[]} run-at epoch ms or null; {@code int[]} attempts; {@code text[]}
     * runners, targets; {@code boolean[]} handed off), inserted in array order. One short statement
     * whatever the row count, so the server parses and plans it once.
     */
    private String insertUnnest() {
        String now = dialect.now();
        return "INSERT INTO job_request (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner,"
                + " hand_off_target, handed_off_at) SELECT t.job_type, t.queue_name, cast(t.payload AS jsonb), t.dedup_key,"
                + " coalesce(to_timestamp(t.run_at_ms / 1000.0), " + now + "), t.max_attempts, t.runner, t.target,"
                + " CASE WHEN t.handed_off THEN " + now + " END"
                + " FROM unnest(cast(? AS text[]), cast(? AS text[]), cast(? AS text[]), cast(? AS text[]),"
                + " cast(? AS bigint[]), cast(? AS int[]), cast(? AS text[]), cast(? AS text[]), cast(? AS boolean[]))"
                + " WITH ORDINALITY AS t(job_type, queue_name, payload, dedup_key, run_at_ms, max_attempts, runner, target,"
                + " handed_off, n) ORDER BY t.n"
                + UNLESS_KEY_STORED.replace("RETURNING *", "RETURNING " + INSERTED_COLUMNS);
    }

    /** {@code (:name0, :name1, …)} for binding a list of {@code count} values one by one. */
    static String inList(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> ":" + name + i).collect(Collectors.joining(", ", "(", ")"));
    }
}
