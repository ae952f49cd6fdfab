package io.jobrunner.store;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The job request state machine, once, as SQL: every transition of both stores, written with the
 * few expressions in which PostgreSQL and SQLite differ taken from the {@link SqlDialect}, and the
 * status names taken from {@link JobStatus}. Every transition is one conditional
 * {@code UPDATE … RETURNING}; the ones that end an attempt append it to {@code attempt_history} in
 * the same statement. Transitions out of {@code running} hold only while the lease does
 * ({@link #LEASE_HELD}). Immutable.
 */
final class StoreStatements {

    static final String WAITING = literal(JobStatus.WAITING);
    static final String QUEUED = literal(JobStatus.QUEUED);
    static final String RUNNING = literal(JobStatus.RUNNING);
    static final String SUCCEEDED = literal(JobStatus.SUCCEEDED);
    static final String FAILED = literal(JobStatus.FAILED);
    static final String CANCELLED = literal(JobStatus.CANCELLED);
    static final String FINISHED = "(" + SUCCEEDED + ", " + FAILED + ", " + CANCELLED + ")";

    /** What a bulk insert reads back; the rest of a new row is what was inserted. */
    /** Every column of {@code job_request} but {@code id}, as the row mapper reads them. */
    static final List<String> REQUEST_COLUMNS = List.of("job_type", "queue_name", "payload", "status", "progress",
            "result_message", "result", "last_error", "attempts", "max_attempts", "dedup_key", "run_at", "locked_by",
            "locked_until", "runner", "cancel_requested", "handed_off_at", "hand_off_target", "created_at",
            "updated_at", "started_at", "finished_at", "attempt_started_at", "attempt_history", "trace_parent",
            "priority", "concurrency_key", "waiting_on", "run_when", "batch_id", "has_dependents");
    static final String INSERTED_COLUMNS = "id, dedup_key, job_type, run_at, created_at, handed_off_at";
    /** A one-row insert also reads back the payload as the database stores it, so it returns what a later read does. */
    private static final String INSERTED_ROW_COLUMNS = INSERTED_COLUMNS + ", payload";
    private static final String UNLESS_KEY_STORED = " ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING";
    /** Binds {@code :id}, {@code :owner} and {@code :attempt}: the lease the transition needs. */
    static final String LEASE_HELD = " WHERE id = :id AND status = " + RUNNING
            + " AND locked_by = :owner AND attempts = :attempt";
    /** The name a pause gives the default queue (requests stored without a queue name). */
    static final String DEFAULT_QUEUE = io.jobrunner.Pause.DEFAULT_QUEUE;
    /**
     * Neither the request's job type nor its queue is paused: a condition of every claim, so a paused
     * request stays queued whichever runner, worker or process tries it. Written as {@code NOT IN} of
     * uncorrelated subqueries, which the database reads once per statement and probes per candidate:
     * the candidate scan stays an index scan in claim order that stops at its limit (as
     * {@code NOT EXISTS}, PostgreSQL turned it into a join that read and sorted every queued row, and
     * as a correlated count its cost estimate made PostgreSQL compile the statement, 50 ms each).
     */
    static final String NOT_PAUSED = " AND job_request.job_type NOT IN (SELECT name FROM job_pause WHERE kind = 'type')"
            + " AND coalesce(job_request.queue_name, '" + DEFAULT_QUEUE + "') NOT IN (SELECT name FROM job_pause WHERE kind = 'queue')";
    /**
     * Of a type without a limit, as far as the statement's snapshot tells: the condition a claim that
     * leaves the limits' checks out ({@code limits} false, while this process read no limit in the
     * store) keeps, so a limit another process defined since is never passed, only waited for until
     * this one reads it. Uncorrelated, as {@link #NOT_PAUSED} is.
     */
    static final String NOT_LIMITED = " AND job_request.job_type NOT IN (SELECT job_type FROM job_limit)";
    /** The columns of a claim's candidate that its concurrency limits are checked by. */
    private static final String CANDIDATE = "id, job_type, concurrency_key, priority, run_at";
    /** Not held back by a concurrency limit: see {@link #limitChecks()}. */
    private static final String NOT_REFUSED = " AND id NOT IN (SELECT id FROM refused)";
    /**
     * Not of a type, or a key, whose limit is reached as far as this statement's snapshot tells: a
     * scan for candidates passes over them instead of filling its batch with requests it would refuse.
     * (The exact count is {@link SqlDialect#freePlaces()}'s.) Uncorrelated, as {@link #NOT_PAUSED} is.
     */
    static final String NOT_SATURATED = " AND job_request.job_type NOT IN (SELECT l.job_type FROM job_limit l"
            + " WHERE l.max_running <= (SELECT count(*) FROM job_request r WHERE r.status = 'running' AND r.job_type = l.job_type))"
            + " AND (job_request.concurrency_key IS NULL OR job_request.job_type || ':' || job_request.concurrency_key NOT IN"
            + " (SELECT r.job_type || ':' || r.concurrency_key FROM job_request r JOIN job_limit l ON l.job_type = r.job_type"
            + " WHERE r.status = 'running' AND r.concurrency_key IS NOT NULL AND l.max_running_per_key IS NOT NULL"
            + " GROUP BY r.job_type, r.concurrency_key, l.max_running_per_key HAVING count(*) >= l.max_running_per_key))";
    /** The message of a dependent cancelled because a job it needed to succeed did not. */
    static final String DEPENDENCY_FAILED = "Cancelled: a job it depends on failed or was cancelled";
    /** The message of a failure path cancelled because every job it depends on succeeded. */
    static final String NO_DEPENDENCY_FAILED = "Cancelled: every job it depends on succeeded, so its failure path is not run";
    /**
     * Not of a type whose rate limit is reached as far as this statement's snapshot tells (the exact
     * count is {@link SqlDialect#freePlaces()}'s), as {@link #NOT_SATURATED} does for running jobs.
     */
    final String notRateLimited;
    /** The order due queued requests are taken in: higher priority first, then the longest due, then the oldest. */
    static final String CLAIM_ORDER = "priority DESC, run_at, id";
    private static final String COLUMNS = "job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner,"
            + " hand_off_target, handed_off_at, trace_parent, priority, concurrency_key";

    final SqlDialect dialect;
    /** A running request whose worker's lease has run out: it died, stopped or timed out mid-run. */
    final String leaseExpired;
    /** Due now: queued and past its run-at, or running with an expired lease and attempts left. */
    final String claimable;
    /** The attempt's error for a takeover of an expired lease. */
    final String abandonedError;
    /** {@code SET …} of a claim: binds {@code :owner} and {@code :leaseMs}. */
    final String claimSet;
    /** The columns every transition to a finished state sets. */
    final String finish;
    /** PostgreSQL's bulk insert; see {@link #insertUnnest()}. */
    final String insertUnnest;
    /** Binds {@code :result} and {@code :message}; the attempt is recorded without error. */
    final String succeed;
    /**
     * PostgreSQL's success of many attempts: five arrays (ids, owners, attempts, results, messages);
     * each row updated only while its lease is held, as by {@link #succeed}.
     */
    final String succeedMany;
    /** Binds {@code :leaseMs}. */
    final String heartbeat;
    /** Binds {@code :progress} and {@code :message}. */
    final String progress;
    final String release;
    /** Cancelled by its handler: binds the lease, {@code :message} and {@code :attemptError}. */
    final String markCancelled;
    /** Binds {@code :id}: a queued request is cancelled now, a running one flagged. */
    final String cancel;
    /** Binds {@code :id}. */
    final String clearHandOff;
    final String failAbandoned;
    /** Binds {@code :ms}. */
    final String purgeOlderThan;
    private final Map<JobAttempt.Outcome, String> fail = new EnumMap<>(JobAttempt.Outcome.class);
    private final Map<JobAttempt.Outcome, String> requeue = new EnumMap<>(JobAttempt.Outcome.class);

    StoreStatements(SqlDialect dialect) {
        this.dialect = dialect;
        String now = dialect.now();
        this.leaseExpired = "locked_until < " + now;
        // Written as a CASE so no index on status can serve it: claims by id must read rows by primary
        // key. As an OR of status conditions, a planner whose statistics predate a burst of new rows
        // scans every queued row and filters them by id (10,000 rows for a claim of ten).
        this.claimable = "CASE status WHEN " + QUEUED + " THEN run_at <= " + now + " WHEN " + RUNNING + " THEN "
                + leaseExpired + " AND attempts < max_attempts ELSE false END";
        this.abandonedError = "'Abandoned: the lease of attempt ' || attempts || ' of ' || max_attempts || ' held by '"
                + " || coalesce(locked_by, '?') || ' expired; the worker died, stopped or timed out mid-run'";
        String abandoned = literal(JobAttempt.Outcome.ABANDONED);
        this.claimSet = "SET status = " + RUNNING + ", attempts = attempts + 1, locked_by = :owner, locked_until = "
                + dialect.nowPlusMillis(":leaseMs") + ", started_at = coalesce(started_at, " + now + "),"
                + " attempt_started_at = " + now + ", updated_at = " + now + ","
                + " last_error = CASE WHEN status = " + RUNNING + " THEN " + abandonedError + " ELSE last_error END,"
                + " attempt_history = CASE WHEN status = " + RUNNING + " THEN " + appendAttempt(abandoned, abandonedError)
                + " ELSE attempt_history END";
        this.finish = ", locked_until = NULL, finished_at = " + now + ", updated_at = " + now;
        this.insertUnnest = insertUnnest();
        this.succeed = leased(succeedSet(":result", ":message"));
        this.succeedMany = "UPDATE job_request " + succeedSet("v.v_result", "v.v_message")
                + " FROM unnest(cast(? AS bigint[]), cast(? AS text[]), cast(? AS int[]), cast(? AS text[]), cast(? AS text[]))"
                + " AS v(v_id, v_owner, v_attempt, v_result, v_message)"
                + " WHERE job_request.id = v.v_id AND job_request.status = " + RUNNING
                + " AND job_request.locked_by = v.v_owner AND job_request.attempts = v.v_attempt RETURNING job_request.*";
        this.heartbeat = leased("SET locked_until = " + dialect.nowPlusMillis(":leaseMs") + ", updated_at = " + now);
        this.progress = leased("SET progress = :progress, result_message = :message, updated_at = " + now);
        this.release = leased("SET status = " + QUEUED + ", attempts = attempts - 1, run_at = " + now + ","
                + " locked_by = NULL, locked_until = NULL, updated_at = " + now);
        this.markCancelled = leased("SET" + recordAttempt(JobAttempt.Outcome.CANCELLED) + " status = " + CANCELLED
                + ", result_message = :message" + finish);
        for (JobAttempt.Outcome outcome : JobAttempt.Outcome.values()) {
            fail.put(outcome, leased("SET" + recordAttempt(outcome) + " status = " + FAILED + ", last_error = :error"
                    + finish));
            requeue.put(outcome, leased("SET" + recordAttempt(outcome) + " status = " + QUEUED + ", last_error = :error,"
                    + " run_at = " + dialect.fromEpochMillis(":runAtMs") + ", locked_by = NULL, locked_until = NULL,"
                    + " updated_at = " + now));
        }
        String unstarted = "status IN (" + WAITING + ", " + QUEUED + ")";
        this.cancel = "UPDATE job_request SET"
                + " finished_at = CASE WHEN " + unstarted + " THEN " + now + " ELSE finished_at END,"
                + " status = CASE WHEN " + unstarted + " THEN " + CANCELLED + " ELSE status END,"
                + " cancel_requested = true, updated_at = " + now
                + " WHERE id = :id AND status IN (" + WAITING + ", " + QUEUED + ", " + RUNNING + ") RETURNING *";
        this.clearHandOff = "UPDATE job_request SET handed_off_at = NULL, updated_at = " + now
                + " WHERE id = :id AND status = " + QUEUED;
        this.failAbandoned = "UPDATE job_request SET status = " + FAILED + ", last_error = " + abandonedError + ","
                + " attempt_history = " + appendAttempt(abandoned, abandonedError) + finish
                + " WHERE status = " + RUNNING + " AND " + leaseExpired + " AND attempts >= max_attempts RETURNING *";
        this.notRateLimited = " AND job_request.job_type NOT IN (SELECT l.job_type FROM job_limit l WHERE l.rate_limit <="
                + " (SELECT count(*) FROM job_start s WHERE s.job_type = l.job_type AND s.limit_key IS NULL AND s.started_at > "
                + dialect.nowMinusMillis("l.rate_period_ms") + "))";
        this.purgeOlderThan = "DELETE FROM job_request WHERE status IN " + FINISHED
                + " AND finished_at < " + dialect.nowMinusMillis(":ms");
    }

    /** {@code 'queued'}: a status as an SQL literal. */
    static String literal(JobStatus status) {
        return "'" + status.dbValue() + "'";
    }

    private static String literal(JobAttempt.Outcome outcome) {
        return "'" + outcome.dbValue() + "'";
    }

    String now() {
        return dialect.now();
    }

    /** {@code UPDATE … RETURNING *} of the request the bound lease holds. */
    private static String leased(String set) {
        return "UPDATE job_request " + set + LEASE_HELD + " RETURNING *";
    }

    /** A failure with attempts spent: binds the lease, {@code :error} and {@code :attemptError}. */
    String fail(JobAttempt.Outcome outcome) {
        return fail.get(outcome);
    }

    /** Back to the queue for a later attempt: binds the lease, {@code :error}, {@code :attemptError}, {@code :runAtMs}. */
    String requeue(JobAttempt.Outcome outcome) {
        return requeue.get(outcome);
    }

    /** {@code SET …} of a success, from the SQL of its result JSON and message; the stored message stays when none. */
    private String succeedSet(String resultJsonSql, String messageSql) {
        return "SET attempt_history = " + appendAttempt(literal(JobAttempt.Outcome.SUCCEEDED), "cast(NULL AS text)")
                + ", status = " + SUCCEEDED + ", progress = 100, result = " + dialect.json(resultJsonSql)
                + ", result_message = coalesce(" + messageSql + ", result_message)" + finish;
    }

    /** {@code attempt_history} plus the attempt ending now, from the row's values before the update. */
    private String appendAttempt(String outcomeSql, String errorSql) {
        return dialect.appendToJsonArray("attempt_history", dialect.jsonObject("'attempt', attempts, 'worker', locked_by,"
                + " 'startedAt', " + dialect.toEpochMillis("attempt_started_at") + ", 'finishedAt', "
                + dialect.toEpochMillis(dialect.now()) + ", 'outcome', " + outcomeSql + ", 'error', " + errorSql));
    }

    /** {@code " attempt_history = …,"} recording the attempt with {@code outcome} and the bound {@code :attemptError}. */
    private String recordAttempt(JobAttempt.Outcome outcome) {
        return " attempt_history = " + appendAttempt(literal(outcome), "cast(:attemptError AS text)") + ",";
    }

    /**
     * One row into {@code table}, bound positionally: job_type, queue_name, payload, dedup_key, run_at
     * (epoch ms or null), max_attempts, runner, hand_off_target, handed off, trace_parent, priority,
     * concurrency_key; with {@code notify}, the channel to {@code pg_notify} in the same statement as a thirteenth. Returns {@link #INSERTED_COLUMNS}
     * and the payload, or no row when {@code withDedupKey} and the key is stored.
     */
    String insert(String table, boolean withDedupKey, boolean notify) {
        return "INSERT INTO " + table + " (" + COLUMNS + ") VALUES " + insertValues()
                + (withDedupKey ? UNLESS_KEY_STORED : "")
                + " RETURNING " + INSERTED_ROW_COLUMNS + (notify ? ", pg_notify(?, id::text)" : "");
    }

    /**
     * One row due now, stored already claimed: running, attempt 1, its lease held by {@code owner} —
     * what {@link #claim()} would leave, in the insert's own statement. Bound positionally: job_type,
     * queue_name, payload, max_attempts, runner, owner, lease ms, trace_parent, priority, concurrency_key, then
     * job_type, queue_name and job_type again. Returns the whole row, or none when the type or queue is paused or
     * the type has a concurrency limit (store it queued then, for a claim that counts).
     */
    String insertClaimed() {
        String now = dialect.now();
        return "INSERT INTO job_request (job_type, queue_name, payload, run_at, max_attempts, runner, status, attempts,"
                + " locked_by, locked_until, started_at, attempt_started_at, trace_parent, priority, concurrency_key) SELECT ?, ?, "
                + dialect.json("?") + ", " + now + ", ?, ?, " + RUNNING + ", 1, ?, " + dialect.nowPlusMillis("?") + ", "
                + now + ", " + now + ", ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM job_pause WHERE (kind = 'type' AND name = ?)"
                + " OR (kind = 'queue' AND name = coalesce(?, '" + DEFAULT_QUEUE + "')))"
                + " AND NOT EXISTS (SELECT 1 FROM job_limit WHERE job_type = ?) RETURNING *";
    }

    /**
     * A multi-row insert of {@code count} rows (each bound as by {@link #insert}) that skips rows
     * whose dedup key is stored, returning {@link #INSERTED_COLUMNS} of the rows it inserted.
     */
    String insertRows(int count) {
        return "INSERT INTO job_request (" + COLUMNS + ") VALUES "
                + String.join(", ", Collections.nCopies(count, insertValues()))
                + UNLESS_KEY_STORED + " RETURNING " + INSERTED_COLUMNS;
    }

    private String insertValues() {
        String now = dialect.now();
        return "(?, ?, " + dialect.json("?") + ", ?, coalesce(" + dialect.fromEpochMillis("?") + ", " + now
                + "), ?, ?, ?, CASE WHEN ? THEN " + now + " END, ?, ?, ?)";
    }

    /**
     * PostgreSQL's bulk insert: the rows as twelve arrays ({@code text[]} job types, queues, payloads,
     * dedup keys; {@code bigint[]} run-at epoch ms or null; {@code int[]} attempts; {@code text[]}
     * runners, targets; {@code boolean[]} handed off; {@code text[]} trace parents; {@code int[]} priorities; {@code text[]} concurrency keys), inserted in array order. One short statement
     * whatever the row count, so the server parses and plans it once.
     */
    private String insertUnnest() {
        String now = dialect.now();
        return "INSERT INTO job_request (" + COLUMNS + ") SELECT t.job_type, t.queue_name, cast(t.payload AS jsonb),"
                + " t.dedup_key, coalesce(to_timestamp(t.run_at_ms / 1000.0), " + now + "), t.max_attempts, t.runner,"
                + " t.target, CASE WHEN t.handed_off THEN " + now + " END, t.trace_parent, t.priority, t.concurrency_key"
                + " FROM unnest(cast(? AS text[]), cast(? AS text[]), cast(? AS text[]), cast(? AS text[]),"
                + " cast(? AS bigint[]), cast(? AS int[]), cast(? AS text[]), cast(? AS text[]), cast(? AS boolean[]),"
                + " cast(? AS text[]), cast(? AS int[]), cast(? AS text[])) WITH ORDINALITY AS t(job_type, queue_name, payload,"
                + " dedup_key, run_at_ms, max_attempts, runner, target, handed_off, trace_parent, priority, concurrency_key, n) ORDER BY t.n" + UNLESS_KEY_STORED + " RETURNING " + INSERTED_COLUMNS;
    }

    /**
     * A failed or cancelled request of {@code table} queued again, due now and not handed off, its
     * history kept and as many attempts granted again as it had; the id bound as the one parameter.
     */
    String retry(String table) {
        String now = dialect.now();
        return "UPDATE " + table + " SET status = " + QUEUED + ", run_at = " + now + ", max_attempts = attempts + max_attempts,"
                + " progress = 0, finished_at = NULL, locked_by = NULL, locked_until = NULL, cancel_requested = false,"
                + " handed_off_at = NULL, updated_at = " + now + " WHERE id = ? AND status IN (" + FAILED + ", "
                + CANCELLED + ") RETURNING *";
    }

    /**
     * Claims the request {@code :id} when it is due. With {@code limits} false (no type has a limit, as
     * far as this process knows), without the limits' checks and passing over limited types
     * ({@link #NOT_LIMITED}); so for each claim below.
     */
    String claim(boolean limits) {
        if (!limits) {
            return "UPDATE job_request " + claimSet + " WHERE id = :id AND " + claimable + NOT_PAUSED + NOT_LIMITED
                    + " RETURNING *";
        }
        return "WITH queued AS (SELECT " + CANDIDATE + " FROM job_request WHERE id = :id AND status = " + QUEUED + ")"
                + limitChecks() + " UPDATE job_request " + claimSet + " WHERE id = :id AND " + claimable + NOT_PAUSED
                + NOT_REFUSED + " RETURNING *";
    }

    /** Claims those of {@code count} ids (bound {@code :id0…}) that are due and handed off to {@code :target}. */
    String claimHandedOff(int count, boolean limits) {
        if (!limits) {
            return "UPDATE job_request " + claimSet + " WHERE id IN " + inList("id", count) + " AND hand_off_target = :target"
                    + " AND " + claimable + NOT_PAUSED + NOT_LIMITED + " RETURNING *";
        }
        return "WITH queued AS (SELECT " + CANDIDATE + " FROM job_request WHERE id IN " + inList("id", count)
                + " AND status = " + QUEUED + ")" + limitChecks() + " UPDATE job_request " + claimSet + " WHERE id IN "
                + inList("id", count) + " AND hand_off_target = :target AND " + claimable + NOT_PAUSED + NOT_REFUSED
                + " RETURNING *";
    }

    /**
     * Claims up to {@code :limit} due requests matching {@code filters} (further {@code AND …}):
     * two candidate sets, each read along its own partial index so finished rows are never scanned —
     * due queued requests in claim order (passing over types and keys whose limit is reached), and
     * running requests whose lease expired with attempts left — both locking what they take and
     * skipping rows other workers hold; expired ones first, then the queued ones their limits admit.
     */
    String claimNext(String filters, boolean limits) {
        String locked = dialect.forUpdateSkipLocked();
        String expired = " expired AS (SELECT id FROM job_request WHERE status = " + RUNNING + " AND " + leaseExpired
                + " AND attempts < max_attempts" + filters + NOT_PAUSED + " ORDER BY locked_until LIMIT :limit" + locked + ")";
        if (!limits) {
            return "WITH queued AS (SELECT id FROM job_request WHERE status = " + QUEUED + " AND run_at <= " + now()
                    + filters + NOT_PAUSED + NOT_LIMITED + " ORDER BY " + CLAIM_ORDER + " LIMIT :limit" + locked + "),"
                    + expired + " UPDATE job_request " + claimSet + " WHERE id IN (SELECT id FROM (SELECT id FROM expired"
                    + " UNION ALL SELECT id FROM queued) AS candidates LIMIT :limit) RETURNING *";
        }
        return "WITH queued AS (SELECT " + CANDIDATE + " FROM job_request WHERE status = " + QUEUED + " AND run_at <= "
                + now() + filters + NOT_PAUSED + NOT_SATURATED + notRateLimited + " ORDER BY " + CLAIM_ORDER + " LIMIT :limit" + locked + "),"
                + expired + limitChecks() + " UPDATE job_request " + claimSet + " WHERE id IN (SELECT id FROM (SELECT id FROM expired"
                + " UNION ALL SELECT id FROM queued WHERE id NOT IN (SELECT id FROM refused)) AS candidates LIMIT :limit)"
                + " RETURNING *";
    }

    /**
     * Claims those of {@code count} ids (bound {@code :id0…}) that are queued, due and match
     * {@code filters}, skipping rows another worker is claiming: every worker told of the same id
     * tries, one gets it, and none waits for the others.
     */
    String claimQueued(int count, String filters, boolean limits) {
        if (!limits) {
            return "UPDATE job_request " + claimSet + " WHERE id IN (SELECT id FROM job_request WHERE id IN " + inList("id", count)
                    + " AND status = " + QUEUED + " AND run_at <= " + now() + filters + NOT_PAUSED + NOT_LIMITED
                    + dialect.forUpdateSkipLocked() + ") RETURNING *";
        }
        return "WITH queued AS (SELECT " + CANDIDATE + " FROM job_request WHERE id IN " + inList("id", count)
                + " AND status = " + QUEUED + " AND run_at <= " + now() + filters + NOT_PAUSED + dialect.forUpdateSkipLocked()
                + ")" + limitChecks() + " UPDATE job_request " + claimSet + " WHERE id IN (SELECT id FROM queued)"
                + NOT_REFUSED + " RETURNING *";
    }

    /**
     * {@code , limited AS (…), free AS (…), ranked AS (…), refused AS (…)} over a CTE {@code queued}
     * of candidates ({@link #CANDIDATE}): those of them a concurrency limit holds back. A candidate of a
     * limited type is ranked within its type and within its key, in claim order, and refused when its
     * rank passes the free places the dialect counts ({@link SqlDialect#freePlaces()}). Nothing of it is
     * evaluated when no candidate's type has a limit.
     */
    private String limitChecks() {
        String order = "ORDER BY m.priority DESC, m.run_at, m.id";
        return ", limited AS (SELECT q.id, q.job_type, q.concurrency_key, q.priority, q.run_at FROM queued q"
                + " WHERE EXISTS (SELECT 1 FROM job_limit l WHERE l.job_type = q.job_type)),"
                + " free AS MATERIALIZED (" + dialect.freePlaces() + "),"
                + " ranked AS (SELECT m.id, m.job_type, m.concurrency_key,"
                + " row_number() OVER (PARTITION BY m.job_type " + order + ") AS type_rank,"
                + " row_number() OVER (PARTITION BY m.job_type, m.concurrency_key " + order + ") AS key_rank FROM limited m),"
                + " refused AS (SELECT k.id FROM ranked k WHERE EXISTS (SELECT 1 FROM free f WHERE f.limit_type = k.job_type"
                + " AND ((f.limit_key IS NULL AND k.type_rank > f.free) OR (f.limit_key = k.concurrency_key"
                + " AND k.key_rank > f.free))))";
    }

    /**
     * PostgreSQL: the success of the lease's request (binds the lease, {@code :result}, {@code :message})
     * and, in the same statement, the claim for {@code :owner} ({@code :leaseMs}) of the next due request
     * of its type matching {@code filters} — when the type has a concurrency limit and no rate limit, and
     * of the same key when the type limits keys — so the place passes from one to the other. Rows carry
     * {@code done_row}: true for the success, false for the claim.
     */
    String succeedAndTakeNext(String filters) {
        String type = "(SELECT job_type FROM done)";
        return "WITH done AS (UPDATE job_request " + succeedSet(":result", ":message") + LEASE_HELD + " RETURNING *),"
                + " nxt AS (SELECT id FROM job_request WHERE status = " + QUEUED + " AND job_type = " + type
                + " AND run_at <= " + now() + filters + NOT_PAUSED + " AND EXISTS (SELECT 1 FROM job_limit l WHERE"
                + " l.job_type = " + type + " AND (l.max_running IS NOT NULL OR l.max_running_per_key IS NOT NULL)"
                + " AND l.rate_limit IS NULL AND l.rate_limit_per_key IS NULL AND (l.max_running_per_key IS NULL"
                + " OR job_request.concurrency_key IS NOT DISTINCT FROM (SELECT concurrency_key FROM done)))"
                + " ORDER BY " + CLAIM_ORDER + " LIMIT 1" + dialect.forUpdateSkipLocked() + "),"
                + " taken AS (UPDATE job_request " + claimSet + " WHERE id IN (SELECT id FROM nxt) RETURNING *)"
                + " SELECT true AS done_row, done.* FROM done UNION ALL SELECT false AS done_row, taken.* FROM taken";
    }

    /** Marks queued requests handed off now, those of {@code count} ids (bound {@code :id0…}) not yet marked. */
    String markHandedOff(int count) {
        return "UPDATE job_request SET handed_off_at = " + now() + ", updated_at = " + now()
                + " WHERE id IN " + inList("id", count) + " AND handed_off_at IS NULL";
    }

    /**
     * Takes up to {@code :limit} queued requests of {@code :runner} for {@code :target} due before
     * {@code :dueBeforeMs} that were never handed off, or were more than {@code :staleMs} ago while
     * due for longer than that; marks them handed off now. Of a type with a concurrency limit, only as many
     * as it has places free (less those handed off and not yet claimed).
     */
    String claimHandOffs() {
        String stale = dialect.nowMinusMillis(":staleMs");
        return "WITH due AS (SELECT id, job_type, priority, run_at FROM job_request WHERE status = " + QUEUED
                + " AND runner = :runner AND hand_off_target" + dialect.isNotDistinctFrom() + ":target"
                + " AND run_at <= " + dialect.fromEpochMillis(":dueBeforeMs")
                + " AND (handed_off_at IS NULL OR (handed_off_at < " + stale + " AND run_at < " + stale + "))" + NOT_PAUSED
                + NOT_SATURATED + notRateLimited
                + " ORDER BY " + CLAIM_ORDER + " LIMIT :limit" + dialect.forUpdateSkipLocked() + "),"
                // Of a type with a limit, no more than its places not taken by running jobs or by hand-offs still
                // on their way: the others would only be received, refused and handed off again.
                + " capped AS (SELECT d.id FROM (SELECT due.id, due.job_type, row_number() OVER (PARTITION BY due.job_type"
                + " ORDER BY due.priority DESC, due.run_at, due.id) AS place FROM due) AS d WHERE d.place <= coalesce((SELECT"
                + " l.max_running - (SELECT count(*) FROM job_request r WHERE r.job_type = l.job_type AND (r.status = "
                + RUNNING + " OR (r.status = " + QUEUED + " AND r.handed_off_at >= " + stale + "))) FROM job_limit l"
                + " WHERE l.job_type = d.job_type AND l.max_running IS NOT NULL), d.place))"
                + " UPDATE job_request SET handed_off_at = " + now() + ", updated_at = " + now()
                + " WHERE id IN (SELECT id FROM capped) RETURNING *";
    }

    /** Running requests of {@code :runner} for {@code :target} whose lease expired with attempts left, queued again. */
    String requeueAbandoned() {
        return "UPDATE job_request SET status = " + QUEUED + ", run_at = " + now() + ", handed_off_at = NULL,"
                + " last_error = " + abandonedError + ","
                + " attempt_history = " + appendAttempt(literal(JobAttempt.Outcome.ABANDONED), abandonedError) + ","
                + " locked_by = NULL, locked_until = NULL, updated_at = " + now()
                + " WHERE status = " + RUNNING + " AND " + leaseExpired + " AND attempts < max_attempts"
                + " AND runner = :runner AND hand_off_target" + dialect.isNotDistinctFrom() + ":target RETURNING *";
    }

    /**
     * Up to {@code :limit} requests with one of {@code statusCount} statuses (bound {@code :status0…})
     * that finished more than {@code :ms} ago, oldest first, skipping rows another sweeper holds.
     */
    String purge(int statusCount) {
        return "DELETE FROM job_request WHERE id IN (SELECT id FROM job_request WHERE status IN "
                + inList("status", statusCount) + " AND finished_at < " + dialect.nowMinusMillis(":ms")
                + " ORDER BY finished_at LIMIT :limit" + dialect.forUpdateSkipLocked() + ")";
    }

    /**
     * {@code count} dependents in one statement, each bound as by {@link #insert} (twelve values) and
     * then status, waiting_on, failed_dependencies, run_when, the cancel message (twice: {@code null}
     * unless cancelled) and has_dependents. Returns the rows; the database numbers them in the order given.
     */
    String insertDependents(int count) {
        String now = now();
        String values = insertValues().substring(0, insertValues().length() - 1)
                + ", ?, ?, ?, ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE " + now + " END, ?)";
        return "INSERT INTO job_request (" + COLUMNS + ", status, waiting_on, failed_dependencies, run_when,"
                + " result_message, finished_at, has_dependents) VALUES " + String.join(", ", Collections.nCopies(count, values))
                + " RETURNING *";
    }

    /**
     * A dependent as its dependencies' statuses leave it, from the row just inserted (queued):
     * bound positionally status, waiting_on, failed_dependencies, run_when, the cancel message (twice;
     * {@code null} unless cancelled), has_dependents and the id. Returns the row.
     */
    String storeDependent() {
        return "UPDATE job_request SET status = ?, waiting_on = ?, failed_dependencies = ?, run_when = ?,"
                + " result_message = ?, finished_at = CASE WHEN ? IS NULL THEN NULL ELSE " + now() + " END,"
                + " has_dependents = ?, updated_at = " + now() + " WHERE id = ? RETURNING *";
    }

    /**
     * The waiting dependents of {@code count} finished jobs (bound {@code :id0…}, those of them that did
     * not succeed {@code :failed0…}; on PostgreSQL two arrays {@code :ids} and {@code :failed}, so the
     * statement text, and its plan, is the same for any count), each counting the
     * dependencies among them it has not counted yet: queued once none is left unfinished, cancelled as
     * soon as its run-when cannot hold (an {@code all_succeeded} one on the first failure, an
     * {@code any_failed} one when all succeeded), still waiting otherwise. Returns them with
     * {@code has_dependents}. On PostgreSQL the same statement marks the dependencies counted — one
     * atomic statement, needing no transaction around it — so two settlers of one finish (the finisher
     * and the recovery pass) count it once: the second waits for the first's row locks and finds
     * nothing left. On SQLite, whose writers take turns,
     * {@link #markSettled} follows in the same transaction.
     */
    String settle(int count, int failedCount) {
        String now = now();
        String left = "waiting_on - c.n";
        String cancelNow = "((run_when = 'all_succeeded' AND c.bad > 0) OR (" + left + " <= 0 AND run_when = 'any_failed'"
                + " AND failed_dependencies + c.bad = 0))";
        String set = "SET waiting_on = " + left + ", failed_dependencies = failed_dependencies + c.bad,"
                + " status = CASE WHEN " + cancelNow + " THEN " + CANCELLED + " WHEN " + left + " > 0 THEN " + WAITING
                + " ELSE " + QUEUED + " END,"
                + " finished_at = CASE WHEN " + cancelNow + " THEN " + now + " ELSE finished_at END,"
                + " result_message = CASE WHEN " + cancelNow + " THEN (CASE WHEN run_when = 'any_failed' THEN '"
                + NO_DEPENDENCY_FAILED + "' ELSE '" + DEPENDENCY_FAILED + "' END) ELSE result_message END,"
                + " updated_at = " + now;
        // The status test as a CASE, as in claimable: no index on status drives the plan away from the primary key.
        String where = " WHERE job_request.id = c.job_id AND CASE job_request.status WHEN " + WAITING
                + " THEN true ELSE false END RETURNING " + (dialect == SqlDialect.POSTGRESQL ? "job_request.*" : "*");
        if (dialect == SqlDialect.POSTGRESQL) {
            return "WITH marked AS (UPDATE job_dependency SET settled = true WHERE depends_on = ANY(cast(:ids AS bigint[]))"
                    + " AND NOT settled RETURNING job_id, depends_on), c AS (SELECT job_id, count(*) AS n, count(*) FILTER"
                    + " (WHERE depends_on = ANY(cast(:failed AS bigint[]))) AS bad FROM marked GROUP BY job_id)"
                    + " UPDATE job_request " + set + " FROM c" + where;
        }
        return "UPDATE job_request " + set + " FROM (SELECT job_id, count(*) AS n, sum(CASE WHEN depends_on IN "
                + inList("failed", failedCount) + " THEN 1 ELSE 0 END) AS bad FROM job_dependency WHERE depends_on IN "
                + inList("id", count) + " AND NOT settled GROUP BY job_id) AS c" + where;
    }

    /** SQLite: the dependencies of {@code count} finished jobs (bound {@code :id0…}) counted, after {@link #settle}. */
    String markSettled(int count) {
        return "UPDATE job_dependency SET settled = true WHERE depends_on IN " + inList("id", count) + " AND NOT settled";
    }

    /**
     * {@code claim} (a statement of this class: CTEs, then {@code UPDATE job_request … RETURNING *}) also
     * recording, on PostgreSQL in the same statement, a start of each claimed request of a rate-limited
     * type — for the type, and for its key where the type has a per-key rate — in {@code job_start},
     * which the next claims count ({@link SqlDialect#freePlaces()}). On SQLite {@link #recordStarts}
     * follows in the same transaction.
     */
    String recordingStarts(String claim) {
        if (dialect != SqlDialect.POSTGRESQL) {
            return claim;
        }
        int update = claim.lastIndexOf(" UPDATE job_request ");
        return claim.substring(0, update) + ", claimed AS (" + claim.substring(update + 1) + "), started AS ("
                + startsOf("claimed") + ") SELECT * FROM claimed";
    }

    /** SQLite: the starts of the claimed requests {@code :id0…} ({@code count} of them), after the claim. */
    String recordStarts(int count) {
        return startsOf("(SELECT * FROM job_request WHERE id IN " + inList("id", count) + ")");
    }

    private String startsOf(String claimed) {
        String now = dialect == SqlDialect.POSTGRESQL ? "clock_timestamp()" : now();
        return "INSERT INTO job_start (job_type, limit_key, started_at) SELECT c.job_type, NULL, " + now + " FROM " + claimed
                + " c JOIN job_limit l ON l.job_type = c.job_type WHERE l.rate_limit IS NOT NULL UNION ALL SELECT c.job_type,"
                + " c.concurrency_key, " + now + " FROM " + claimed + " c JOIN job_limit l ON l.job_type = c.job_type"
                + " WHERE l.rate_limit_per_key IS NOT NULL AND c.concurrency_key IS NOT NULL";
    }

    /** Starts older than every window of their type: no claim counts them any more. */
    String purgeStarts() {
        String longest = "(SELECT CASE WHEN coalesce(l.rate_period_ms, 0) > coalesce(l.rate_period_per_key_ms, 0)"
                + " THEN coalesce(l.rate_period_ms, 0) ELSE coalesce(l.rate_period_per_key_ms, 0) END FROM job_limit l"
                + " WHERE l.job_type = job_start.job_type)";
        return "DELETE FROM job_start WHERE started_at < " + dialect.nowMinusMillis("coalesce(" + longest + ", 0)");
    }

    /** {@code (:name0, :name1, …)} for binding a list of {@code count} values one by one. */
    static String inList(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> ":" + name + i).collect(Collectors.joining(", ", "(", ")"));
    }
}
