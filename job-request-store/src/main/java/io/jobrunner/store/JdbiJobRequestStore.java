package io.jobrunner.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.ClaimFilter;
import io.jobrunner.InsertResult;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.Lease;
import io.jobrunner.NewJobRequest;
import io.jobrunner.ScheduleFiring;
import io.jobrunner.ScheduledJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * The {@link JobRequestStore} on PostgreSQL, through JDBI. Every transition is one conditional
 * {@code UPDATE … RETURNING}; claims skip rows other workers hold ({@code FOR UPDATE SKIP LOCKED}),
 * so many processes can share one table. Times come from the database clock, so workers on hosts
 * with drifting clocks agree on leases. Thread-safe.
 */
public final class JdbiJobRequestStore implements JobRequestStore {

    private static final String LEASE_HELD = " WHERE id = :id AND status = 'running' AND locked_by = :owner"
            + " AND attempts = :attempt";
    private static final String CLAIMABLE = "((status = 'queued' AND run_at <= now())"
            + " OR (status = 'running' AND locked_until < now() AND attempts < max_attempts))";
    private static final String ABANDONED_ERROR = "'Abandoned: the lease of attempt ' || attempts || ' of '"
            + " || max_attempts || ' held by ' || coalesce(locked_by, '?')"
            + " || ' expired; the worker died, stopped or timed out mid-run'";
    private static final String CLAIM_SET = "SET status = 'running', attempts = attempts + 1, locked_by = :owner,"
            + " locked_until = now() + :leaseMs * interval '1 millisecond', started_at = coalesce(started_at, now()),"
            + " attempt_started_at = now(), updated_at = now(),"
            + " last_error = CASE WHEN status = 'running' THEN " + ABANDONED_ERROR + " ELSE last_error END,"
            + " attempt_history = CASE WHEN status = 'running' THEN " + appendAttempt("'abandoned'", ABANDONED_ERROR)
            + " ELSE attempt_history END";
    static final String INSERT = "INSERT INTO job_request"
            + " (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner, hand_off_target, handed_off_at)"
            + " VALUES (?, ?, cast(? AS jsonb), ?, coalesce(to_timestamp(cast(? AS bigint) / 1000.0), now()), ?, ?, ?,"
            + " CASE WHEN ? THEN now() END)";
    /** Appended to {@link #INSERT}: nothing is inserted when the dedup key is already stored. */
    static final String UNLESS_KEY_STORED = " ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING RETURNING *";
    private static final String RETRY = "UPDATE job_request SET status = 'queued', run_at = now(),"
            + " max_attempts = attempts + max_attempts, progress = 0, finished_at = NULL, locked_by = NULL,"
            + " locked_until = NULL, cancel_requested = false, handed_off_at = NULL, updated_at = now()"
            + " WHERE id = ? AND status IN ('failed', 'cancelled') RETURNING *";
    private static final Comparator<JobRequest> RUN_AT_ORDER =
            Comparator.comparing(JobRequest::runAt).thenComparingLong(JobRequest::id);
    private static final String FINISH = ", locked_until = NULL, finished_at = now(), updated_at = now()";

    /** Sets {@code attempt_history} to itself plus the attempt ending now, from the row's values before the update. */
    private static String appendAttempt(String outcomeSql, String errorSql) {
        return "attempt_history || jsonb_build_array(jsonb_build_object('attempt', attempts, 'worker', locked_by,"
                + " 'startedAt', " + epochMillis("attempt_started_at") + ", 'finishedAt', " + epochMillis("now()")
                + ", 'outcome', " + outcomeSql + ", 'error', " + errorSql + "))";
    }

    private static String epochMillis(String timestampSql) {
        return "cast(floor(extract(epoch FROM " + timestampSql + ") * 1000) AS bigint)";
    }

    private static String recordAttempt(JobAttempt.Outcome outcome) {
        return " attempt_history = " + appendAttempt("'" + outcome.dbValue() + "'", "cast(:attemptError AS text)") + ",";
    }

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final AutoCloseable ownedPool;
    private final JdbiSchedules schedules;
    private volatile String qualifiedTable;

    private JdbiJobRequestStore(DataSource dataSource, AutoCloseable ownedPool) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.ownedPool = ownedPool;
        this.schedules = new JdbiSchedules(jdbi);
        this.jdbi.registerRowMapper(JobRequest.class, JobRequestRowMapper.INSTANCE);
        // The SQL here has no <attribute> templates; skipping the template pass saves CPU on every statement.
        this.jdbi.getConfig(SqlStatements.class).setTemplateEngine(TemplateEngine.NOP);
    }

    /** A store over the caller's data source, which the caller keeps and closes. Migrates the schema. */
    public static JdbiJobRequestStore create(DataSource dataSource) {
        JdbiJobRequestStore store = new JdbiJobRequestStore(dataSource, null);
        store.migrate();
        return store;
    }

    /**
     * A store with its own connection pool, closed with the store. Migrates the schema.
     *
     * @param schema the schema to use, or {@code null} for the connection's default
     */
    public static JdbiJobRequestStore open(DatabaseUrl url, int poolSize, String schema) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        if (schema != null) {
            config.setSchema(schema);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("jobrunner-store");
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        JdbiJobRequestStore store = new JdbiJobRequestStore(pool, pool);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return store;
    }

    private void migrate() {
        call("migrate the job request schema", () -> {
            SchemaMigrations.migrate(jdbi);
            return null;
        });
    }

    /**
     * Plain JDBC on the pool rather than a JDBI handle: insert is the hot path of every dispatch,
     * and a handle's per-use setup cost more CPU than the statement itself (see ARCHITECTURE.md).
     */
    @Override
    public InsertResult insert(NewJobRequest request) {
        try (Connection connection = dataSource.getConnection()) {
            return insert(connection, request, "job_request", id -> retry(id));
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    /**
     * In the caller's transaction every statement goes through the caller's connection, so a dedup
     * key dispatched twice in one transaction finds its own uncommitted row; the table is named with
     * the store's schema, whatever the connection's search path.
     */
    @Override
    public InsertResult insert(Connection connection, NewJobRequest request) {
        String table = qualifiedTable();
        try {
            return insert(connection, request, table, id -> retryOn(connection, table, id));
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    private InsertResult insert(Connection connection, NewJobRequest request, String table,
                                RetryStatement retry) throws SQLException {
        String insert = table.equals("job_request") ? INSERT : INSERT.replace("job_request", table);
        String sql = insert + (request.dedupKey() == null
                ? " RETURNING *"
                : UNLESS_KEY_STORED);
        for (int round = 0; round < 3; round++) {
            Optional<JobRequest> created = insertRow(connection, sql, request);
            if (created.isPresent()) {
                return new InsertResult(created.get(), InsertResult.Outcome.CREATED);
            }
            Optional<JobRequest> existing = queryOne(connection, "SELECT * FROM " + table + " WHERE dedup_key = ?",
                    request.dedupKey());
            if (existing.isPresent()) {
                JobStatus status = existing.get().status();
                if (status == JobStatus.FAILED || status == JobStatus.CANCELLED) {
                    Optional<JobRequest> requeued = retry.apply(existing.get().id());
                    if (requeued.isPresent()) {
                        return new InsertResult(requeued.get(), InsertResult.Outcome.REQUEUED);
                    }
                    continue;
                }
                return new InsertResult(existing.get(), InsertResult.Outcome.EXISTING);
            }
        }
        throw new JobStoreException("Could not insert or find the job request with dedup key '"
                + request.dedupKey() + "': it kept being removed concurrently");
    }

    static Optional<JobRequest> insertRow(Connection connection, String sql, NewJobRequest request)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, request.jobType());
            statement.setString(2, request.queueName());
            statement.setString(3, request.payloadJson());
            statement.setString(4, request.dedupKey());
            if (request.runAt() == null) {
                statement.setNull(5, Types.BIGINT);
            } else {
                statement.setLong(5, request.runAt().toEpochMilli());
            }
            statement.setInt(6, request.maxAttempts());
            statement.setString(7, request.runner());
            statement.setString(8, request.handOffTarget());
            statement.setBoolean(9, request.handedOff());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(JobRequestRowMapper.read(rows)) : Optional.empty();
            }
        }
    }

    private static Optional<JobRequest> retryOn(Connection connection, String table, long id) throws SQLException {
        return queryOne(connection, RETRY.replace("job_request", table), id);
    }

    private static Optional<JobRequest> queryOne(Connection connection, String sql, Object parameter)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(JobRequestRowMapper.read(rows)) : Optional.empty();
            }
        }
    }

    /** {@code "schema".job_request} for the schema this store's own connections use; read once. */
    private String qualifiedTable() {
        String table = qualifiedTable;
        if (table == null) {
            String schema = call("read the store's schema", () -> jdbi.withHandle(h -> h.createQuery(
                    "SELECT current_schema()").mapTo(String.class).one()));
            table = qualifiedTable = "\"" + schema.replace("\"", "\"\"") + "\".job_request";
        }
        return table;
    }

    /** Re-queues a failed or cancelled request found under the dedup key being inserted. */
    @FunctionalInterface
    private interface RetryStatement {
        Optional<JobRequest> apply(long id) throws SQLException;
    }

    static JobStoreException insertFailed(NewJobRequest request, SQLException e) {
        return new JobStoreException("Could not insert a " + request.jobType() + " job request: " + e.getMessage(), e);
    }

    @Override
    public Optional<JobRequest> retry(long id) {
        return call("retry job request " + id, () -> jdbi.withHandle(h -> h.createQuery(RETRY.replace("?", ":id"))
                .bind("id", id).mapTo(JobRequest.class).findOne()));
    }

    @Override
    public Optional<JobRequest> find(long id) {
        return call("find job request " + id, () -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM job_request WHERE id = :id")
                .bind("id", id).mapTo(JobRequest.class).findOne()));
    }

    @Override
    public Optional<JobRequest> findByDedupKey(String dedupKey) {
        return call("find the job request with dedup key '" + dedupKey + "'", () -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM job_request WHERE dedup_key = :key")
                .bind("key", dedupKey).mapTo(JobRequest.class).findOne()));
    }

    @Override
    public List<JobRequest> list(JobQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM job_request WHERE id > :afterId");
        if (!query.statuses().isEmpty()) {
            sql.append(" AND status = ANY(:statuses)");
        }
        if (query.jobType() != null) {
            sql.append(" AND job_type = :jobType");
        }
        if (query.queueName() != null) {
            sql.append(" AND queue_name = :queueName");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        return call("list job requests", () -> jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString())
                    .bind("afterId", query.afterId())
                    .bind("limit", query.limit());
            if (!query.statuses().isEmpty()) {
                q.bindArray("statuses", String.class, query.statuses().stream().map(JobStatus::dbValue).toList());
            }
            if (query.jobType() != null) {
                q.bind("jobType", query.jobType());
            }
            if (query.queueName() != null) {
                q.bind("queueName", query.queueName());
            }
            return q.mapTo(JobRequest.class).list();
        }));
    }

    @Override
    public Optional<JobRequest> claim(long id, String owner, Duration leaseTime) {
        return call("claim job request " + id, () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request " + CLAIM_SET + " WHERE id = :id AND " + CLAIMABLE + " RETURNING *")
                .bind("id", id)
                .bind("owner", owner)
                .bind("leaseMs", leaseTime.toMillis())
                .mapTo(JobRequest.class).findOne()));
    }

    @Override
    public List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit) {
        StringBuilder candidates = new StringBuilder("SELECT id FROM job_request WHERE " + CLAIMABLE);
        if (!filter.jobTypes().isEmpty()) {
            candidates.append(" AND job_type = ANY(:types)");
        }
        if (filter.queueName() != null) {
            candidates.append(" AND queue_name = :queueName");
        }
        if (filter.runner() != null) {
            candidates.append(" AND runner = :runner");
        }
        candidates.append(" ORDER BY run_at, id LIMIT :limit FOR UPDATE SKIP LOCKED");
        String sql = "WITH candidates AS (" + candidates + ") UPDATE job_request " + CLAIM_SET
                + " WHERE id IN (SELECT id FROM candidates) RETURNING *";
        return call("claim job requests", () -> jdbi.withHandle(h -> {
            Query q = h.createQuery(sql)
                    .bind("owner", owner)
                    .bind("leaseMs", leaseTime.toMillis())
                    .bind("limit", limit);
            if (!filter.jobTypes().isEmpty()) {
                q.bindArray("types", String.class, new ArrayList<>(filter.jobTypes()));
            }
            if (filter.queueName() != null) {
                q.bind("queueName", filter.queueName());
            }
            if (filter.runner() != null) {
                q.bind("runner", filter.runner());
            }
            return q.mapTo(JobRequest.class).list().stream().sorted(RUN_AT_ORDER).toList();
        }));
    }

    @Override
    public Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime) {
        return leased("extend the lease of", lease, "SET locked_until = now() + :leaseMs * interval '1 millisecond',"
                + " updated_at = now()", q -> q.bind("leaseMs", leaseTime.toMillis()));
    }

    @Override
    public Optional<JobRequest> progress(Lease lease, int percent, String message) {
        return leased("record progress of", lease, "SET progress = :progress, result_message = :message, updated_at = now()",
                q -> q.bind("progress", percent).bind("message", message));
    }

    @Override
    public Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        return leased("record success of", lease, "SET" + recordAttempt(JobAttempt.Outcome.SUCCEEDED)
                        + " status = 'succeeded', progress = 100, result = cast(:result AS jsonb),"
                        + " result_message = coalesce(:message, result_message)" + FINISH,
                q -> q.bind("result", resultJson).bind("message", message).bind("attemptError", (String) null));
    }

    @Override
    public Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error) {
        return leased("record failure of", lease, "SET" + recordAttempt(outcome) + " status = 'failed', last_error = :error"
                + FINISH, q -> q.bind("error", error).bind("attemptError", JobAttempt.shortError(error)));
    }

    @Override
    public Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome, String error) {
        return leased("requeue", lease, "SET" + recordAttempt(outcome) + " status = 'queued', last_error = :error,"
                        + " run_at = to_timestamp(:runAtMs / 1000.0), locked_by = NULL, locked_until = NULL, updated_at = now()",
                q -> q.bind("error", error).bind("runAtMs", runAt.toEpochMilli())
                        .bind("attemptError", JobAttempt.shortError(error)));
    }

    @Override
    public Optional<JobRequest> release(Lease lease) {
        return leased("release", lease, "SET status = 'queued', attempts = attempts - 1, run_at = now(),"
                + " locked_by = NULL, locked_until = NULL, updated_at = now()", q -> q);
    }

    @Override
    public Optional<JobRequest> markCancelled(Lease lease, String message) {
        return leased("record cancellation of", lease, "SET" + recordAttempt(JobAttempt.Outcome.CANCELLED)
                        + " status = 'cancelled', result_message = :message" + FINISH,
                q -> q.bind("message", message).bind("attemptError", (String) null));
    }

    @Override
    public Optional<JobRequest> cancel(long id) {
        return call("cancel job request " + id, () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request SET"
                                + " finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,"
                                + " status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
                                + " cancel_requested = true, updated_at = now()"
                                + " WHERE id = :id AND status IN ('queued', 'running') RETURNING *")
                .bind("id", id).mapTo(JobRequest.class).findOne()));
    }

    @Override
    public void markHandedOff(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        call("mark " + ids.size() + " job requests handed off", () -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE job_request SET handed_off_at = now(), updated_at = now()"
                                + " WHERE id = ANY(:ids) AND handed_off_at IS NULL")
                .bindArray("ids", Long.class, List.copyOf(ids)).execute()));
    }

    @Override
    public void clearHandOff(long id) {
        call("clear the hand-off of job request " + id, () -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE job_request SET handed_off_at = NULL, updated_at = now() WHERE id = :id AND status = 'queued'")
                .bind("id", id).execute()));
    }

    @Override
    public List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore, Duration staleAfter,
                                          int limit) {
        return call("claim hand-offs of runner " + runner, () -> jdbi.withHandle(h -> h.createQuery(
                        "WITH due AS (SELECT id FROM job_request WHERE status = 'queued' AND runner = :runner"
                                + " AND hand_off_target IS NOT DISTINCT FROM :target"
                                + " AND run_at <= to_timestamp(:dueBeforeMs / 1000.0)"
                                + " AND (handed_off_at IS NULL OR (handed_off_at < now() - :staleMs * interval '1 millisecond'"
                                + " AND run_at < now() - :staleMs * interval '1 millisecond'))"
                                + " ORDER BY run_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)"
                                + " UPDATE job_request SET handed_off_at = now(), updated_at = now()"
                                + " WHERE id IN (SELECT id FROM due) RETURNING *")
                .bind("runner", runner)
                .bind("target", target)
                .bind("dueBeforeMs", dueBefore.toEpochMilli())
                .bind("staleMs", staleAfter.toMillis())
                .bind("limit", limit)
                .mapTo(JobRequest.class).list()
                .stream().sorted(RUN_AT_ORDER).toList()));
    }

    @Override
    public List<JobRequest> requeueAbandoned(String runner, String target) {
        return call("requeue abandoned job requests of runner " + runner, () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request SET status = 'queued', run_at = now(), handed_off_at = NULL,"
                                + " last_error = " + ABANDONED_ERROR + ","
                                + " attempt_history = " + appendAttempt("'abandoned'", ABANDONED_ERROR) + ","
                                + " locked_by = NULL, locked_until = NULL, updated_at = now()"
                                + " WHERE status = 'running' AND locked_until < now() AND attempts < max_attempts"
                                + " AND runner = :runner AND hand_off_target IS NOT DISTINCT FROM :target RETURNING *")
                .bind("runner", runner).bind("target", target)
                .mapTo(JobRequest.class).list()));
    }

    @Override
    public List<JobRequest> failAbandoned() {
        return call("fail abandoned job requests", () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request SET status = 'failed', last_error = " + ABANDONED_ERROR + ","
                                + " attempt_history = " + appendAttempt("'abandoned'", ABANDONED_ERROR) + FINISH
                                + " WHERE status = 'running' AND locked_until < now() AND attempts >= max_attempts RETURNING *")
                .mapTo(JobRequest.class).list()));
    }

    @Override
    public int purgeFinished(Duration retention) {
        return call("purge finished job requests", () -> jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM job_request WHERE status IN ('succeeded', 'failed', 'cancelled')"
                                + " AND finished_at < now() - :ms * interval '1 millisecond'")
                .bind("ms", retention.toMillis()).execute()));
    }

    @Override
    public ScheduledJob saveSchedule(ScheduledJob schedule) {
        return schedules.save(schedule);
    }

    @Override
    public Optional<ScheduledJob> findSchedule(String name) {
        return schedules.find(name);
    }

    @Override
    public List<ScheduledJob> listSchedules() {
        return schedules.list();
    }

    @Override
    public List<ScheduledJob> dueSchedules(Instant now) {
        return schedules.due(now);
    }

    @Override
    public boolean deleteSchedule(String name) {
        return schedules.delete(name);
    }

    @Override
    public ScheduleFiring fireSchedule(String name, Instant due, Instant next, Instant occurrence, NewJobRequest request) {
        return schedules.fire(name, due, next, occurrence, request);
    }

    private Optional<JobRequest> leased(String action, Lease lease, String set,
                                        java.util.function.UnaryOperator<Query> binder) {
        return call(action + " job request " + lease.jobId() + " (attempt " + lease.attempt() + ", owner "
                + lease.owner() + ")", () -> jdbi.withHandle(h -> binder.apply(h.createQuery(
                                "UPDATE job_request " + set + LEASE_HELD + " RETURNING *")
                        .bind("id", lease.jobId())
                        .bind("owner", lease.owner())
                        .bind("attempt", lease.attempt()))
                .mapTo(JobRequest.class).findOne()));
    }

    static <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (JdbiException e) {
            throw new JobStoreException("Could not " + action + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                throw new JobStoreException("Could not close the job request store's connection pool", e);
            }
        }
    }
}
