package io.jobrunner.store;

import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobCounts;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.ScheduleFiring;
import io.jobrunner.spi.store.StoreScope;
import io.jobrunner.spi.store.Success;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.postgresql.PGStatement;

/**
 * The {@link JobRequestStore} in SQL, through JDBI: on PostgreSQL for shared deployments
 * ({@link #open}, {@link #create}) and on SQLite for the embedded store
 * ({@link EmbeddedJobRequestStore}). Both run the same statements ({@link StoreStatements}). Every
 * transition is one conditional {@code UPDATE … RETURNING}; claims never take a row another worker
 * holds (PostgreSQL skips locked rows, SQLite serializes writers), so many processes can share one
 * database. Times come from the database clock, so workers agree on leases. Thread-safe.
 */
public final class JdbiJobRequestStore implements JobRequestStore {

    private static final Comparator<JobRequest> RUN_AT_ORDER =
            Comparator.comparing(JobRequest::runAt).thenComparingLong(JobRequest::id);
    /** Largest list bound one value at a time in an {@code IN (…)}; longer lists go in chunks. */
    private static final int IN_LIST_CHUNK = 500;
    /** The runner whose workers are woken on PostgreSQL when its requests are queued. */
    static final String NOTIFYING_RUNNER = "database";
    /** Rows per bulk insert statement (on SQLite 9 parameters each, well under its limit). */
    private static final int INSERT_CHUNK = 1_000;

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final AutoCloseable resources;
    private final StoreStatements sql;
    private final JobRequestRowMapper rows;
    private final JdbiSchedules schedules;
    private final String description;
    private final StoreScope scope;
    private volatile String qualifiedTable;
    private volatile String schema;

    JdbiJobRequestStore(DataSource dataSource, AutoCloseable resources, SqlDialect dialect, String description,
                        StoreScope scope) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.resources = resources;
        this.sql = new StoreStatements(dialect);
        this.rows = new JobRequestRowMapper(dialect);
        this.description = description;
        this.scope = scope;
        this.jdbi.registerRowMapper(JobRequest.class, rows);
        // The SQL here has no <attribute> templates; skipping the template pass saves CPU on every statement.
        this.jdbi.getConfig(SqlStatements.class).setTemplateEngine(TemplateEngine.NOP);
        this.schedules = new JdbiSchedules(jdbi, this);
    }

    /** A PostgreSQL store over the caller's data source, which the caller keeps and closes. Migrates the schema. */
    public static JdbiJobRequestStore create(DataSource dataSource) {
        JdbiJobRequestStore store = new JdbiJobRequestStore(dataSource, null, SqlDialect.POSTGRESQL,
                "PostgreSQL (the application's data source)", StoreScope.NETWORK);
        store.migrate();
        return store;
    }

    /**
     * A PostgreSQL store with its own connection pool, closed with the store. Migrates the schema.
     *
     * @param schema the schema to use, or {@code null} for the connection's default
     */
    public static JdbiJobRequestStore open(DatabaseUrl url, int poolSize, String schema) {
        return open(url, poolSize, schema, PostgresConnections.DEFAULT_CONNECT_TIMEOUT);
    }

    /** {@link #open(DatabaseUrl, int, String)}, failing after {@code connectTimeout} when the server cannot be reached. */
    public static JdbiJobRequestStore open(DatabaseUrl url, int poolSize, String schema, Duration connectTimeout) {
        HikariDataSource pool = PostgresConnections.pool(url, poolSize, schema, connectTimeout);
        return openOwned(pool, pool, SqlDialect.POSTGRESQL, "PostgreSQL at " + DatabaseUrl.redact(url.jdbcUrl())
                + (schema == null ? "" : ", schema " + schema), StoreScope.NETWORK);
    }

    /** A store that owns {@code resources} (closing them on failure and with the store), migrated. */
    static JdbiJobRequestStore openOwned(DataSource dataSource, AutoCloseable resources, SqlDialect dialect,
                                         String description, StoreScope scope) {
        JdbiJobRequestStore store = new JdbiJobRequestStore(dataSource, resources, dialect, description, scope);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void migrate() {
        call("migrate the job request schema", () -> {
            SchemaMigrations.migrate(jdbi, sql.dialect);
            return null;
        });
    }

    /** Where the requests are kept, for logs and tools: the database and its location. */
    @Override
    public String description() {
        return description;
    }

    @Override
    public StoreScope scope() {
        return scope;
    }

    /** On PostgreSQL, LISTEN on a connection of its own (it counts against the pool); SQLite cannot tell. */
    @Override
    public Optional<AutoCloseable> watchQueued(Runnable wakeUp) {
        if (sql.dialect != SqlDialect.POSTGRESQL) {
            return Optional.empty();
        }
        return Optional.of(QueuedListener.start(dataSource, wakeUp));
    }

    /** True for the embedded (SQLite) store, false for PostgreSQL. */
    public boolean embedded() {
        return sql.dialect == SqlDialect.SQLITE;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    StoreStatements statements() {
        return sql;
    }

    /**
     * Plain JDBC on the pool rather than a JDBI handle: insert is the hot path of every dispatch,
     * and a handle's per-use setup cost more CPU than the statement itself (see ARCHITECTURE.md).
     */
    @Override
    public InsertResult insert(NewJobRequest request) {
        try (Connection connection = dataSource.getConnection()) {
            return insert(connection, request, "job_request");
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    /**
     * One multi-row {@code INSERT … RETURNING} per chunk of {@value #INSERT_CHUNK} rows, all in one
     * transaction. Rows whose dedup key was already stored (or repeats within the list) come back
     * without a row and go through the one-row path on the same connection, which finds or requeues
     * the stored request.
     */
    @Override
    public List<InsertResult> insertAll(List<NewJobRequest> requests) {
        if (requests.size() <= 1) {
            return requests.isEmpty() ? List.of() : List.of(insert(requests.get(0)));
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                List<InsertResult> results = new ArrayList<>(requests.size());
                for (int start = 0; start < requests.size(); start += INSERT_CHUNK) {
                    results.addAll(insertChunk(connection, requests.subList(start, Math.min(requests.size(),
                            start + INSERT_CHUNK))));
                }
                if (requests.stream().anyMatch(this::notifies)) {
                    try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, '')")) {
                        notify.setString(1, notifyChannel());
                        notify.execute();
                    }
                }
                connection.commit();
                return results;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("Could not insert " + requests.size() + " job requests (none was stored): "
                    + e.getMessage(), e);
        }
    }

    private List<InsertResult> insertChunk(Connection connection, List<NewJobRequest> chunk) throws SQLException {
        List<Inserted> inserted = new ArrayList<>(chunk.size());
        boolean unnest = sql.dialect == SqlDialect.POSTGRESQL;
        try (PreparedStatement statement = connection.prepareStatement(unnest ? sql.insertUnnest
                : sql.insertRows(chunk.size()))) {
            if (unnest) {
                bindArrays(connection, statement, chunk);
            } else {
                int index = 1;
                for (NewJobRequest request : chunk) {
                    index = bindInsert(statement, index, request);
                }
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    inserted.add(inserted(result));
                }
            }
        }
        // Ids are drawn in the order of the VALUES, so the rows returned, by id, follow the requests
        // that were inserted; a request whose key was taken has no row and is matched by the one-row path.
        inserted.sort(Comparator.comparingLong(Inserted::id));
        List<InsertResult> results = new ArrayList<>(chunk.size());
        int next = 0;
        for (NewJobRequest request : chunk) {
            Inserted row = next < inserted.size() ? inserted.get(next) : null;
            if (row != null && Objects.equals(row.dedupKey(), request.dedupKey()) && row.jobType().equals(request.jobType())) {
                results.add(new InsertResult(row.request(request), InsertResult.Outcome.CREATED));
                next++;
            } else {
                results.add(insert(connection, request, "job_request"));
            }
        }
        return results;
    }

    /**
     * In the caller's transaction every statement goes through the caller's connection, so a dedup
     * key dispatched twice in one transaction finds its own uncommitted row; the table is named with
     * the store's schema, whatever the connection's search path.
     */
    @Override
    public InsertResult insert(Connection connection, NewJobRequest request) {
        if (embedded()) {
            return JobRequestStore.super.insert(connection, request);
        }
        try {
            return insert(connection, request, qualifiedTable());
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    private InsertResult insert(Connection connection, NewJobRequest request, String table) throws SQLException {
        String channel = notifies(request) ? notifyChannel() : null;
        String insert = sql.insertInto(table, request.dedupKey() != null, channel != null);
        for (int round = 0; round < 3; round++) {
            Optional<JobRequest> created = insertRow(connection, insert, request, channel);
            if (created.isPresent()) {
                return new InsertResult(created.get(), InsertResult.Outcome.CREATED);
            }
            Optional<JobRequest> existing = queryOne(connection, "SELECT * FROM " + table + " WHERE dedup_key = ?",
                    request.dedupKey());
            if (existing.isPresent()) {
                JobStatus status = existing.get().status();
                if (status == JobStatus.FAILED || status == JobStatus.CANCELLED) {
                    Optional<JobRequest> requeued = queryOne(connection,
                            sql.retry.replace("job_request", table), existing.get().id());
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

    /** Inserts one row with {@code insertSql} (from {@link StoreStatements#insertInto}); empty when its dedup key was stored. */
    Optional<JobRequest> insertRow(Connection connection, String insertSql, NewJobRequest request) throws SQLException {
        return insertRow(connection, insertSql, request, null);
    }

    /** @param channel the channel {@code insertSql} notifies as its tenth parameter, or {@code null} */
    private Optional<JobRequest> insertRow(Connection connection, String insertSql, NewJobRequest request, String channel)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
            int next = bindInsert(statement, 1, request);
            if (channel != null) {
                statement.setString(next, channel);
            }
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.of(inserted(result).request(request, result.getString("payload")))
                        : Optional.empty();
            }
        }
    }

    /** What an insert read back of one new row; the rest is what was inserted. */
    private record Inserted(long id, String dedupKey, String jobType, Instant runAt, Instant createdAt,
                            Instant handedOffAt) {
        JobRequest request(NewJobRequest inserted) {
            return request(inserted, inserted.payloadJson());
        }

        /** @param storedPayload the payload as read back, which the database may have normalised */
        JobRequest request(NewJobRequest inserted, String storedPayload) {
            return new JobRequest(id, inserted.jobType(), inserted.queueName(), storedPayload, JobStatus.QUEUED,
                    0, null, null, null, 0, inserted.maxAttempts(), dedupKey, runAt, null, null, inserted.runner(), false,
                    handedOffAt, inserted.handOffTarget(), createdAt, createdAt, null, null, null, List.of());
        }
    }

    /** The columns of {@link StoreStatements#INSERTED_COLUMNS} at the result's current row. */
    private Inserted inserted(ResultSet result) throws SQLException {
        return new Inserted(result.getLong("id"), result.getString("dedup_key"), result.getString("job_type"),
                rows.instant(result, "run_at"), rows.instant(result, "created_at"), rows.instant(result, "handed_off_at"));
    }

    /** Binds the rows as the nine arrays of {@link StoreStatements#insertUnnest}. */
    private static void bindArrays(Connection connection, PreparedStatement statement, List<NewJobRequest> chunk)
            throws SQLException {
        int n = chunk.size();
        String[] types = new String[n];
        String[] queues = new String[n];
        String[] payloads = new String[n];
        String[] keys = new String[n];
        Long[] runAts = new Long[n];
        Integer[] attempts = new Integer[n];
        String[] runners = new String[n];
        String[] targets = new String[n];
        Boolean[] handedOff = new Boolean[n];
        for (int i = 0; i < n; i++) {
            NewJobRequest request = chunk.get(i);
            types[i] = request.jobType();
            queues[i] = request.queueName();
            payloads[i] = request.payloadJson();
            keys[i] = request.dedupKey();
            runAts[i] = request.runAt() == null ? null : request.runAt().toEpochMilli();
            attempts[i] = request.maxAttempts();
            runners[i] = request.runner();
            targets[i] = request.handOffTarget();
            handedOff[i] = request.handedOff();
        }
        statement.setArray(1, connection.createArrayOf("text", types));
        statement.setArray(2, connection.createArrayOf("text", queues));
        statement.setArray(3, connection.createArrayOf("text", payloads));
        statement.setArray(4, connection.createArrayOf("text", keys));
        statement.setArray(5, connection.createArrayOf("int8", runAts));
        statement.setArray(6, connection.createArrayOf("int4", attempts));
        statement.setArray(7, connection.createArrayOf("text", runners));
        statement.setArray(8, connection.createArrayOf("text", targets));
        statement.setArray(9, connection.createArrayOf("bool", handedOff));
    }

    /** Binds one row's nine insert parameters from {@code index}; returns the index after them. */
    private static int bindInsert(PreparedStatement statement, int index, NewJobRequest request) throws SQLException {
        statement.setString(index, request.jobType());
        statement.setString(index + 1, request.queueName());
        statement.setString(index + 2, request.payloadJson());
        statement.setString(index + 3, request.dedupKey());
        if (request.runAt() == null) {
            statement.setNull(index + 4, Types.BIGINT);
        } else {
            statement.setLong(index + 4, request.runAt().toEpochMilli());
        }
        statement.setInt(index + 5, request.maxAttempts());
        statement.setString(index + 6, request.runner());
        statement.setString(index + 7, request.handOffTarget());
        statement.setBoolean(index + 8, request.handedOff());
        return index + 9;
    }

    private Optional<JobRequest> queryOne(Connection connection, String statementSql, Object parameter)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
            statement.setObject(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.of(rows.read(result)) : Optional.empty();
            }
        }
    }

    /** {@code "schema".job_request} for the schema this store's own connections use. */
    private String qualifiedTable() {
        String table = qualifiedTable;
        if (table == null) {
            table = qualifiedTable = "\"" + schema().replace("\"", "\"\"") + "\".job_request";
        }
        return table;
    }

    /** The schema this store's own connections use; read once. */
    private String schema() {
        String current = schema;
        if (current == null) {
            current = schema = call("read the store's schema", () -> jdbi.withHandle(h -> h.createQuery(
                    "SELECT current_schema()").mapTo(String.class).one()));
        }
        return current;
    }

    /**
     * True for a request database workers wait for: on PostgreSQL its insert notifies them (the
     * channel {@link QueuedListener} listens on), in the same statement, so no other runner pays.
     */
    private boolean notifies(NewJobRequest request) {
        return sql.dialect == SqlDialect.POSTGRESQL && NOTIFYING_RUNNER.equals(request.runner());
    }

    /** Where database workers of this schema listen; the update trigger of migration V5 uses the same. */
    String notifyChannel() {
        return "jobrunner_" + schema();
    }

    static JobStoreException insertFailed(NewJobRequest request, SQLException e) {
        return new JobStoreException("Could not insert a " + request.jobType() + " job request: " + e.getMessage(), e);
    }

    @Override
    public Optional<JobRequest> retry(long id) {
        return call("retry job request " + id, () -> jdbi.withHandle(h -> h.createQuery(sql.retry.replace("?", ":id"))
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
        String select = query.descending()
                ? "SELECT * FROM job_request WHERE (:afterId = 0 OR id < :afterId)" + matching(query)
                        + " ORDER BY id DESC LIMIT :limit"
                : "SELECT * FROM job_request WHERE id > :afterId" + matching(query) + " ORDER BY id LIMIT :limit";
        return call("list job requests", () -> jdbi.withHandle(h -> bindMatching(planned(h.createQuery(select)), query)
                .bind("afterId", query.afterId())
                .bind("limit", query.limit())
                .mapTo(JobRequest.class).list()));
    }

    /**
     * One transaction: the lines numbered after the request's last, then its lines beyond
     * {@code keep} deleted, oldest first. Lines of a request that is gone are skipped.
     */
    @Override
    public void appendLog(long requestId, List<JobLogLine> lines, int keep) {
        if (lines.isEmpty()) {
            return;
        }
        call("store " + lines.size() + " log lines of job request " + requestId, () -> jdbi.inTransaction(h -> {
            boolean exists = h.createQuery("SELECT count(*) FROM job_request WHERE id = :id").bind("id", requestId)
                    .mapTo(Integer.class).one() > 0;
            if (!exists) {
                return 0;
            }
            int last = h.createQuery("SELECT coalesce(max(seq), 0) FROM job_log WHERE request_id = :id")
                    .bind("id", requestId).mapTo(Integer.class).one();
            PreparedBatch batch = h.prepareBatch("INSERT INTO job_log (request_id, seq, at, attempt, level, message)"
                    + " VALUES (:id, :seq, " + sql.dialect.fromEpochMillis(":atMs") + ", :attempt, :level, :message)");
            int seq = last;
            for (JobLogLine line : lines) {
                batch.bind("id", requestId).bind("seq", ++seq).bind("atMs", line.at().toEpochMilli())
                        .bind("attempt", line.attempt()).bind("level", line.level().dbValue())
                        .bind("message", line.message()).add();
            }
            batch.execute();
            return h.createUpdate("DELETE FROM job_log WHERE request_id = :id AND seq <= :upTo")
                    .bind("id", requestId).bind("upTo", seq - keep).execute();
        }));
    }

    @Override
    public JobLog log(long requestId) {
        return call("read the log of job request " + requestId, () -> jdbi.withHandle(h -> {
            long[] firstSeq = {0};
            List<JobLogLine> lines = h.createQuery("SELECT seq, at, attempt, level, message FROM job_log"
                            + " WHERE request_id = :id ORDER BY seq")
                    .bind("id", requestId)
                    .map((rs, ctx) -> {
                        if (firstSeq[0] == 0) {
                            firstSeq[0] = rs.getLong("seq");  // lines before the first kept were dropped
                        }
                        return new JobLogLine(rows.instant(rs, "at"), rs.getInt("attempt"),
                                JobLogLine.Level.fromDbValue(rs.getString("level")), rs.getString("message"));
                    })
                    .list();
            return lines.isEmpty() ? JobLog.empty() : new JobLog(lines, firstSeq[0] - 1);
        }));
    }

    /** Counts every request the query's filters match; its page (after id, limit) is ignored. */
    @Override
    public long count(JobQuery query) {
        String select = "SELECT count(*) FROM job_request WHERE 1 = 1" + matching(query);
        return call("count job requests", () -> jdbi.withHandle(h -> bindMatching(planned(h.createQuery(select)), query)
                .mapTo(Long.class).one()));
    }

    /** The {@code AND …} conditions of the query's filters, bound by {@link #bindMatching}. */
    private String matching(JobQuery query) {
        StringBuilder where = new StringBuilder();
        if (!query.statuses().isEmpty()) {
            where.append(" AND status IN ").append(StoreStatements.inList("status", query.statuses().size()));
        }
        if (query.jobType() != null) {
            where.append(" AND job_type = :jobType");
        }
        if (query.queueName() != null) {
            where.append(" AND queue_name = :queueName");
        }
        if (query.createdSince() != null) {
            where.append(" AND created_at >= ").append(sql.dialect.fromEpochMillis(":createdSinceMs"));
        }
        if (query.finishedSince() != null) {
            where.append(" AND finished_at >= ").append(sql.dialect.fromEpochMillis(":finishedSinceMs"));
        }
        return where.toString();
    }

    private static Query bindMatching(Query q, JobQuery query) {
        bindEach(q, "status", query.statuses().stream().map(JobStatus::dbValue).sorted().toList());
        if (query.jobType() != null) {
            q.bind("jobType", query.jobType());
        }
        if (query.queueName() != null) {
            q.bind("queueName", query.queueName());
        }
        if (query.createdSince() != null) {
            q.bind("createdSinceMs", query.createdSince().toEpochMilli());
        }
        if (query.finishedSince() != null) {
            q.bind("finishedSinceMs", query.finishedSince().toEpochMilli());
        }
        return q;
    }

    @Override
    public Optional<JobRequest> claim(long id, String owner, Duration leaseTime) {
        return call("claim job request " + id, () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request " + sql.claimSet + " WHERE id = :id AND " + sql.claimable + " RETURNING *")
                .bind("id", id)
                .bind("owner", owner)
                .bind("leaseMs", leaseTime.toMillis())
                .mapTo(JobRequest.class).findOne()));
    }

    @Override
    public List<JobRequest> claimAll(Collection<Long> ids, String handOffTarget, String owner, Duration leaseTime) {
        List<Long> distinct = ids.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return List.of();
        }
        String what = distinct.size() == 1 ? "job request " + distinct.get(0) : distinct.size() + " job requests";
        return call("claim " + what + " for " + handOffTarget, () -> jdbi.withHandle(h ->
                bindEach(h.createQuery("UPDATE job_request " + sql.claimSet + " WHERE id IN "
                        + StoreStatements.inList("id", distinct.size()) + " AND hand_off_target = :target AND "
                        + sql.claimable + " RETURNING *"), "id", distinct)
                        .bind("target", handOffTarget)
                        .bind("owner", owner)
                        .bind("leaseMs", leaseTime.toMillis())
                        .mapTo(JobRequest.class).list()));
    }

    @Override
    public Optional<JobRequest> claim(long id, String handOffTarget, String owner, Duration leaseTime) {
        return claimAll(List.of(id), handOffTarget, owner, leaseTime).stream().findFirst();
    }

    /**
     * Two candidate sets, each read along its own partial index so finished rows are never scanned:
     * due queued requests oldest first, and running requests whose lease expired with attempts left.
     * Both lock what they take and skip rows other workers hold (PostgreSQL); the update takes at
     * most {@code limit} of them, expired ones first.
     */
    @Override
    public List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit) {
        List<String> types = filter.jobTypes().stream().sorted().toList();
        List<String> queues = filter.queueNames().stream().sorted().toList();
        StringBuilder filters = new StringBuilder();
        if (!types.isEmpty()) {
            filters.append(" AND job_type IN ").append(StoreStatements.inList("type", types.size()));
        }
        if (!queues.isEmpty()) {
            filters.append(" AND queue_name IN ").append(StoreStatements.inList("queue", queues.size()));
        }
        if (filter.runner() != null) {
            filters.append(" AND runner = :runner");
        }
        String locked = sql.dialect.forUpdateSkipLocked();
        String claim = "WITH queued AS (SELECT id FROM job_request WHERE status = 'queued' AND run_at <= " + sql.now()
                + filters + " ORDER BY run_at, id LIMIT :limit" + locked + "),"
                + " expired AS (SELECT id FROM job_request WHERE status = 'running' AND locked_until < " + sql.now()
                + " AND attempts < max_attempts" + filters + " ORDER BY locked_until LIMIT :limit" + locked + ")"
                + " UPDATE job_request " + sql.claimSet + " WHERE id IN (SELECT id FROM (SELECT id FROM expired"
                + " UNION ALL SELECT id FROM queued) AS candidates LIMIT :limit) RETURNING *";
        return call("claim job requests", () -> jdbi.withHandle(h -> {
            Query q = bindEach(bindEach(planned(h.createQuery(claim)), "type", types), "queue", queues)
                    .bind("owner", owner)
                    .bind("leaseMs", leaseTime.toMillis())
                    .bind("limit", limit);
            if (filter.runner() != null) {
                q.bind("runner", filter.runner());
            }
            return q.mapTo(JobRequest.class).list().stream().sorted(RUN_AT_ORDER).toList();
        }));
    }

    @Override
    public Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime) {
        return leased("extend the lease of", lease, "SET locked_until = " + sql.dialect.nowPlusMillis(":leaseMs")
                + ", updated_at = " + sql.now(), q -> q.bind("leaseMs", leaseTime.toMillis()));
    }

    @Override
    public Optional<JobRequest> progress(Lease lease, int percent, String message) {
        return leased("record progress of", lease, "SET progress = :progress, result_message = :message, updated_at = "
                + sql.now(), q -> q.bind("progress", percent).bind("message", message));
    }

    /**
     * On PostgreSQL one {@code UPDATE … FROM unnest(…)} whose {@code WHERE} checks each row's lease as
     * {@link #succeed} does; on SQLite, where every commit waits for the one writer anyway, one by one.
     */
    @Override
    public List<Optional<JobRequest>> succeedAll(List<Success> successes) {
        if (successes.size() == 1) {
            Success only = successes.get(0);
            return List.of(succeed(only.lease(), only.resultJson(), only.message()));
        }
        if (sql.dialect != SqlDialect.POSTGRESQL) {
            return JobRequestStore.super.succeedAll(successes);
        }
        int n = successes.size();
        Long[] ids = new Long[n];
        String[] owners = new String[n];
        Integer[] attempts = new Integer[n];
        String[] results = new String[n];
        String[] messages = new String[n];
        for (int i = 0; i < n; i++) {
            Success success = successes.get(i);
            ids[i] = success.lease().jobId();
            owners[i] = success.lease().owner();
            attempts[i] = success.lease().attempt();
            results[i] = success.resultJson();
            messages[i] = success.message();
        }
        Map<Long, JobRequest> recorded = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.succeedMany)) {
            statement.setArray(1, connection.createArrayOf("int8", ids));
            statement.setArray(2, connection.createArrayOf("text", owners));
            statement.setArray(3, connection.createArrayOf("int4", attempts));
            statement.setArray(4, connection.createArrayOf("text", results));
            statement.setArray(5, connection.createArrayOf("text", messages));
            planEachRun(statement);  // a join whose best plan depends on the table's size
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    JobRequest request = rows.read(result);
                    recorded.put(request.id(), request);
                }
            }
        } catch (SQLException e) {
            throw new JobStoreException("Could not record success of " + n + " job requests in " + description + ": "
                    + e.getMessage(), e);
        }
        List<Optional<JobRequest>> outcomes = new ArrayList<>(n);
        for (Success success : successes) {
            outcomes.add(Optional.ofNullable(recorded.get(success.lease().jobId())));
        }
        return outcomes;
    }

    @Override
    public Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        return leased("record success of", lease, sql.succeedSet,
                q -> q.bind("result", resultJson).bind("message", message));
    }

    @Override
    public Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error) {
        return leased("record failure of", lease, "SET" + sql.recordAttempt(outcome) + " status = 'failed',"
                        + " last_error = :error" + sql.finish,
                q -> q.bind("error", error).bind("attemptError", JobAttempt.shortError(error)));
    }

    @Override
    public Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome, String error) {
        return leased("requeue", lease, "SET" + sql.recordAttempt(outcome) + " status = 'queued', last_error = :error,"
                        + " run_at = " + sql.dialect.fromEpochMillis(":runAtMs") + ", locked_by = NULL,"
                        + " locked_until = NULL, updated_at = " + sql.now(),
                q -> q.bind("error", error).bind("runAtMs", runAt.toEpochMilli())
                        .bind("attemptError", JobAttempt.shortError(error)));
    }

    @Override
    public Optional<JobRequest> release(Lease lease) {
        return leased("release", lease, "SET status = 'queued', attempts = attempts - 1, run_at = " + sql.now() + ","
                + " locked_by = NULL, locked_until = NULL, updated_at = " + sql.now(), q -> q);
    }

    @Override
    public Optional<JobRequest> markCancelled(Lease lease, String message) {
        return leased("record cancellation of", lease, "SET" + sql.recordAttempt(JobAttempt.Outcome.CANCELLED)
                        + " status = 'cancelled', result_message = :message" + sql.finish,
                q -> q.bind("message", message).bind("attemptError", (String) null));
    }

    @Override
    public Optional<JobRequest> cancel(long id) {
        return call("cancel job request " + id, () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_request SET"
                                + " finished_at = CASE WHEN status = 'queued' THEN " + sql.now() + " ELSE finished_at END,"
                                + " status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
                                + " cancel_requested = true, updated_at = " + sql.now()
                                + " WHERE id = :id AND status IN ('queued', 'running') RETURNING *")
                .bind("id", id).mapTo(JobRequest.class).findOne()));
    }

    @Override
    public void markHandedOff(Collection<Long> ids) {
        List<Long> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += IN_LIST_CHUNK) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST_CHUNK));
            call("mark " + chunk.size() + " job requests handed off", () -> jdbi.withHandle(h -> bindEach(h.createUpdate(
                    "UPDATE job_request SET handed_off_at = " + sql.now() + ", updated_at = " + sql.now()
                            + " WHERE id IN " + StoreStatements.inList("id", chunk.size())
                            + " AND handed_off_at IS NULL"), "id", chunk).execute()));
        }
    }

    @Override
    public void clearHandOff(long id) {
        call("clear the hand-off of job request " + id, () -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE job_request SET handed_off_at = NULL, updated_at = " + sql.now()
                                + " WHERE id = :id AND status = 'queued'")
                .bind("id", id).execute()));
    }

    @Override
    public List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore, Duration staleAfter,
                                          int limit) {
        String stale = sql.dialect.nowMinusMillis(":staleMs");
        return call("claim hand-offs of runner " + runner, () -> jdbi.withHandle(h -> planned(h.createQuery(
                        "WITH due AS (SELECT id FROM job_request WHERE status = 'queued' AND runner = :runner"
                                + " AND hand_off_target" + sql.dialect.isNotDistinctFrom() + ":target"
                                + " AND run_at <= " + sql.dialect.fromEpochMillis(":dueBeforeMs")
                                + " AND (handed_off_at IS NULL OR (handed_off_at < " + stale + " AND run_at < " + stale + "))"
                                + " ORDER BY run_at, id LIMIT :limit" + sql.dialect.forUpdateSkipLocked() + ")"
                                + " UPDATE job_request SET handed_off_at = " + sql.now() + ", updated_at = " + sql.now()
                                + " WHERE id IN (SELECT id FROM due) RETURNING *"))
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
        return call("requeue abandoned job requests of runner " + runner, () -> jdbi.withHandle(h -> planned(h.createQuery(
                        "UPDATE job_request SET status = 'queued', run_at = " + sql.now() + ", handed_off_at = NULL,"
                                + " last_error = " + sql.abandonedError + ","
                                + " attempt_history = " + sql.appendAttempt("'abandoned'", sql.abandonedError) + ","
                                + " locked_by = NULL, locked_until = NULL, updated_at = " + sql.now()
                                + " WHERE status = 'running' AND locked_until < " + sql.now()
                                + " AND attempts < max_attempts AND runner = :runner"
                                + " AND hand_off_target" + sql.dialect.isNotDistinctFrom() + ":target RETURNING *"))
                .bind("runner", runner).bind("target", target)
                .mapTo(JobRequest.class).list()));
    }

    @Override
    public List<JobRequest> failAbandoned() {
        return call("fail abandoned job requests", () -> jdbi.withHandle(h -> planned(h.createQuery(
                        "UPDATE job_request SET status = 'failed', last_error = " + sql.abandonedError + ","
                                + " attempt_history = " + sql.appendAttempt("'abandoned'", sql.abandonedError) + sql.finish
                                + " WHERE status = 'running' AND locked_until < " + sql.now()
                                + " AND attempts >= max_attempts RETURNING *"))
                .mapTo(JobRequest.class).list()));
    }

    /**
     * A statement whose best plan depends on how many rows the table holds right now — a queue table
     * goes from empty to millions of rows in seconds — is planned on every run: never left to a plan
     * the driver's prepared statement cached while the table looked different (a whole-table scan
     * planned while it was empty, still in use through the burst that follows). Statements that
     * reach rows by id keep their cached plans.
     */
    private static <T extends SqlStatement<T>> T planned(T statement) {
        return statement.addCustomizer(PLANNED_EACH_RUN);
    }

    private static final StatementCustomizer PLANNED_EACH_RUN = new StatementCustomizer() {
        @Override
        public void beforeExecution(PreparedStatement statement, StatementContext context) throws SQLException {
            planEachRun(statement);
        }
    };

    /** Keeps the driver from preparing the statement on the server, so PostgreSQL plans each run of it. */
    private static void planEachRun(PreparedStatement statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
    }

    @Override
    public JobCounts counts() {
        return call("count job requests", () -> jdbi.withHandle(h -> JobCounts.fromRows(h.createQuery(
                        "SELECT job_type, status, COUNT(*) AS n FROM job_request GROUP BY job_type, status")
                .map((rs, ctx) -> new JobCounts.Row(rs.getString("job_type"), JobStatus.fromDbValue(rs.getString("status")),
                        rs.getLong("n")))
                .list())));
    }

    /** One {@code GROUP BY} over the finished-at index: minutes as epoch milliseconds divided by 60,000. */
    @Override
    public List<JobThroughput> finishedPerMinute(Instant since) {
        String minute = sql.dialect.toEpochMillis("finished_at") + " / 60000";
        return call("count finished job requests per minute", () -> jdbi.withHandle(h -> {
            Map<Long, long[]> counts = new TreeMap<>();
            planned(h.createQuery("SELECT " + minute + " AS minute, status, COUNT(*) AS n FROM job_request"
                            + " WHERE finished_at >= " + sql.dialect.fromEpochMillis(":since")
                            + " AND status IN ('succeeded', 'failed', 'cancelled') GROUP BY " + minute + ", status"))
                    .bind("since", since.toEpochMilli())
                    .map((rs, ctx) -> {
                        long[] byStatus = counts.computeIfAbsent(rs.getLong("minute"), m -> new long[3]);
                        int slot = switch (JobStatus.fromDbValue(rs.getString("status"))) {
                            case SUCCEEDED -> 0;
                            case FAILED -> 1;
                            default -> 2;
                        };
                        byStatus[slot] += rs.getLong("n");
                        return 0;
                    })
                    .list();
            return counts.entrySet().stream().map(e -> new JobThroughput(Instant.ofEpochMilli(e.getKey() * 60_000),
                    e.getValue()[0], e.getValue()[1], e.getValue()[2])).toList();
        }));
    }

    @Override
    public int purgeFinished(Duration retention) {
        return call("purge finished job requests", () -> jdbi.withHandle(h -> planned(h.createUpdate(
                        "DELETE FROM job_request WHERE status IN ('succeeded', 'failed', 'cancelled')"
                                + " AND finished_at < " + sql.dialect.nowMinusMillis(":ms")))
                .bind("ms", retention.toMillis()).execute()));
    }

    @Override
    public int purgeFinished(Set<JobStatus> statuses, Duration olderThan, int limit) {
        List<String> finished = statuses.stream().filter(JobStatus::isFinished).map(JobStatus::dbValue).sorted().toList();
        if (finished.size() != statuses.size() || finished.isEmpty()) {
            throw new IllegalArgumentException("Only finished requests can be purged (succeeded, failed, cancelled), not "
                    + statuses);
        }
        return call("purge finished job requests", () -> jdbi.withHandle(h -> bindEach(planned(h.createUpdate(
                        "DELETE FROM job_request WHERE id IN (SELECT id FROM job_request WHERE status IN "
                                + StoreStatements.inList("status", finished.size()) + " AND finished_at < "
                                + sql.dialect.nowMinusMillis(":ms") + " ORDER BY finished_at LIMIT :limit"
                                + sql.dialect.forUpdateSkipLocked() + ")")), "status", finished)
                .bind("ms", olderThan.toMillis())
                .bind("limit", limit)
                .execute()));
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

    private Optional<JobRequest> leased(String action, Lease lease, String set, UnaryOperator<Query> binder) {
        return call(action + " job request " + lease.jobId() + " (attempt " + lease.attempt() + ", owner "
                + lease.owner() + ")", () -> jdbi.withHandle(h -> binder.apply(h.createQuery(
                                "UPDATE job_request " + set + StoreStatements.LEASE_HELD + " RETURNING *")
                        .bind("id", lease.jobId())
                        .bind("owner", lease.owner())
                        .bind("attempt", lease.attempt()))
                .mapTo(JobRequest.class).findOne()));
    }

    private static <S extends SqlStatement<S>> S bindEach(S statement, String name, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            statement.bind(name + i, values.get(i));
        }
        return statement;
    }

    <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (JdbiException e) {
            throw new JobStoreException("Could not " + action + " in " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new JobStoreException("Could not close the job request store (" + description + ")", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbiJobRequestStore[" + description + "]";
    }
}
