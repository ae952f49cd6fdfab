package io.jobrunner.store;

import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.BatchProgress;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobCounts;
import io.jobrunner.JobLimit;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.QueuedWatcher;
import io.jobrunner.spi.store.ScheduleFiring;
import io.jobrunner.spi.store.StoreCheck;
import io.jobrunner.spi.store.StoreScope;
import io.jobrunner.spi.store.Success;
import io.jobrunner.spi.store.SuccessAndNext;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The {@link JobRequestStore} in SQL, through JDBI: on PostgreSQL for shared deployments
 * ({@link #open}, {@link #create}) and on SQLite for the embedded store
 * ({@link EmbeddedJobRequestStore}). Both run the same statements ({@link StoreStatements}). Every
 * transition is one conditional {@code UPDATE … RETURNING}; claims never take a row another worker
 * holds (PostgreSQL skips locked rows, SQLite serializes writers), so many processes can share one
 * database. Times come from the database clock, so workers agree on leases.
 *
 * <p>This class opens the store and hands each call to the part that does it: {@link JdbiInserts},
 * {@link JdbiTransitions} (claims and lease transitions), {@link JdbiQueries} (reads and logs),
 * {@link JdbiSweeps} (the hand-off outbox, recovery, purges) and {@link JdbiSchedules}. Thread-safe.
 */
public final class JdbiJobRequestStore implements JobRequestStore {

    private final StoreAccess access;
    private final AutoCloseable resources;
    private final StoreScope scope;
    private final JdbiInserts inserts;
    private final JdbiTransitions transitions;
    private final JdbiQueries queries;
    private final JdbiSweeps sweeps;
    private final JdbiSchedules schedules;
    private final JdbiWorkers workers;
    private final JdbiPauses pauses;
    private final JdbiLimits limits;
    private final JdbiWorkflows workflows;

    JdbiJobRequestStore(DataSource dataSource, AutoCloseable resources, SqlDialect dialect, String description,
                        StoreScope scope, Path file) {
        this.access = new StoreAccess(dataSource, dialect, description, file);
        this.resources = resources;
        this.scope = scope;
        this.inserts = new JdbiInserts(access);
        this.workflows = new JdbiWorkflows(access, inserts);
        this.limits = new JdbiLimits(access);
        this.transitions = new JdbiTransitions(access, workflows, limits);
        this.queries = new JdbiQueries(access);
        this.sweeps = new JdbiSweeps(access, workflows);
        this.schedules = new JdbiSchedules(access, inserts);
        this.workers = new JdbiWorkers(access);
        this.pauses = new JdbiPauses(access);
    }

    /** A PostgreSQL store over the caller's data source, which the caller keeps and closes. Migrates the schema. */
    public static JdbiJobRequestStore create(DataSource dataSource) {
        JdbiJobRequestStore store = new JdbiJobRequestStore(dataSource, null, SqlDialect.POSTGRESQL,
                "PostgreSQL (the application's data source)", StoreScope.NETWORK, null);
        store.migrate();
        return store;
    }

    /**
     * Loads and initializes, without connecting anywhere, most of what opening a PostgreSQL store
     * will load (JDBI and its statement path, the row mapper, the JSON codec, the driver's classes): for an
     * application that opens a store a moment later, on a thread of its own while the rest of it
     * starts. Does nothing that needs a database, and fails silently: it only saves time.
     */
    public static void preload() {
        try {
            new JdbiJobRequestStore(new org.postgresql.ds.PGSimpleDataSource(), null, SqlDialect.POSTGRESQL, "preload",
                    StoreScope.NETWORK, null);
            ClassLoader loader = JdbiJobRequestStore.class.getClassLoader();
            for (String name : List.of("org.postgresql.jdbc.PgConnection", "org.postgresql.core.v3.QueryExecutorImpl",
                    "org.postgresql.jdbc.PgPreparedStatement", "org.postgresql.jdbc.PgResultSet",
                    "io.jobrunner.store.SchemaMigrations", "io.jobrunner.store.QueuedListener")) {
                Class.forName(name, true, loader);
            }
            // JDBI's statement path (parsing, binding, mapping) runs first here, on an in-memory SQLite store
            try (JdbiJobRequestStore warm = EmbeddedJobRequestStore.inMemory()) {
                long id = warm.insert(new NewJobRequest("preload", null, "{}", null, null, 1, "preload")).request().id();
                warm.find(id);
                warm.list(JobQuery.all().limit(1));
            }
        } catch (Throwable ignored) {
            // only ever a head start
        }
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
                + (schema == null ? "" : ", schema " + schema), StoreScope.NETWORK, null);
    }

    /**
     * A store that owns {@code resources} (closing them on failure and with the store), migrated.
     *
     * @param file the embedded store's file, named with the way out when a row cannot be read; else {@code null}
     */
    static JdbiJobRequestStore openOwned(DataSource dataSource, AutoCloseable resources, SqlDialect dialect,
                                         String description, StoreScope scope, Path file) {
        JdbiJobRequestStore store = new JdbiJobRequestStore(dataSource, resources, dialect, description, scope, file);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void migrate() {
        access.call("migrate the job request schema", () -> {
            SchemaMigrations.migrate(access.jdbi, access.sql.dialect);
            return null;
        });
    }

    /** Where the requests are kept, for logs and tools: the database and its location. */
    @Override
    public String description() {
        return access.description;
    }

    @Override
    public StoreScope scope() {
        return scope;
    }

    /** On PostgreSQL, LISTEN on a connection of its own (it counts against the pool); SQLite cannot tell. */
    @Override
    public Optional<AutoCloseable> watchQueued(QueuedWatcher watcher) {
        return access.postgres() ? Optional.of(QueuedListener.start(access.dataSource, watcher)) : Optional.empty();
    }

    @Override
    public void registerWorker(JobWorker worker) {
        workers.register(worker);
    }

    @Override
    public void unregisterWorker(String id) {
        workers.unregister(id);
    }

    @Override
    public List<JobWorker> workers() {
        return workers.list();
    }

    @Override
    public StoreCheck check() {
        return new JdbiCheck(access).run();
    }

    /** True for the embedded (SQLite) store, false for PostgreSQL. */
    public boolean embedded() {
        return !access.postgres();
    }

    @Override
    public InsertResult insert(NewJobRequest request) {
        return request.hasDependencies() ? insertGraph(List.of(request)).results().get(0) : inserts.insert(request);
    }

    @Override
    public InsertResult insertClaimed(NewJobRequest request, String owner, Duration leaseTime) {
        return request.hasDependencies() ? insert(request) : inserts.insertClaimed(request, owner, leaseTime);
    }

    @Override
    public List<InsertResult> insertAll(List<NewJobRequest> requests) {
        return requests.stream().anyMatch(NewJobRequest::hasDependencies) ? insertGraph(requests).results()
                : inserts.insertAll(requests);
    }

    @Override
    public InsertedGraph insertGraph(List<NewJobRequest> rows) {
        return workflows.insertGraph(rows);
    }

    @Override
    public List<Long> dependencies(long id) {
        return workflows.dependencies(id);
    }

    @Override
    public Optional<BatchProgress> batch(long id) {
        return workflows.batch(id);
    }

    @Override
    public AutoCloseable watchReleased(Consumer<List<JobRequest>> watcher) {
        return workflows.watchReleased(watcher);
    }

    /** Joins the caller's transaction on PostgreSQL; the embedded store cannot (see the SPI's default). */
    @Override
    public InsertResult insert(Connection connection, NewJobRequest request) {
        if (request.hasDependencies()) {
            throw new UnsupportedOperationException("A " + request.jobType() + " job with dependencies cannot be stored"
                    + " in the caller's transaction; dispatch it with dispatchJob(JobData) or in a JobGraph");
        }
        return embedded() ? JobRequestStore.super.insert(connection, request)
                : inserts.insertInTransaction(connection, request);
    }

    @Override
    public Optional<JobRequest> retry(long id) {
        return transitions.retry(id);
    }

    @Override
    public Optional<JobRequest> find(long id) {
        return queries.find(id);
    }

    @Override
    public Optional<JobRequest> findByDedupKey(String dedupKey) {
        return queries.findByDedupKey(dedupKey);
    }

    @Override
    public List<JobRequest> list(JobQuery query) {
        return queries.list(query);
    }

    @Override
    public void appendLog(long requestId, List<JobLogLine> lines, int keep) {
        queries.appendLog(requestId, lines, keep);
    }

    @Override
    public JobLog log(long requestId) {
        return queries.log(requestId);
    }

    @Override
    public long count(JobQuery query) {
        return queries.count(query);
    }

    @Override
    public JobCounts counts() {
        return queries.counts();
    }

    @Override
    public List<JobThroughput> finishedPerMinute(Instant since) {
        return queries.finishedPerMinute(since);
    }

    @Override
    public Optional<JobRequest> claim(long id, String owner, Duration leaseTime) {
        return transitions.claim(id, owner, leaseTime);
    }

    @Override
    public Optional<JobRequest> claim(long id, String handOffTarget, String owner, Duration leaseTime) {
        return transitions.claimAll(List.of(id), handOffTarget, owner, leaseTime).stream().findFirst();
    }

    @Override
    public List<JobRequest> claimAll(Collection<Long> ids, String handOffTarget, String owner, Duration leaseTime) {
        return transitions.claimAll(ids, handOffTarget, owner, leaseTime);
    }

    @Override
    public List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit) {
        return transitions.claimNext(filter, owner, leaseTime, limit);
    }

    @Override
    public List<JobRequest> claimQueued(Collection<Long> ids, ClaimFilter filter, String owner, Duration leaseTime) {
        return transitions.claimQueued(ids, filter, owner, leaseTime);
    }

    @Override
    public Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime) {
        return transitions.heartbeat(lease, leaseTime);
    }

    @Override
    public Optional<JobRequest> progress(Lease lease, int percent, String message) {
        return transitions.progress(lease, percent, message);
    }

    @Override
    public Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        return transitions.succeed(lease, resultJson, message);
    }

    @Override
    public SuccessAndNext succeedAndTakeNext(Lease lease, String resultJson, String message, ClaimFilter filter,
                                             String owner, Duration leaseTime) {
        return transitions.succeedAndTakeNext(lease, resultJson, message, filter, owner, leaseTime);
    }

    @Override
    public List<Optional<JobRequest>> succeedAll(List<Success> successes) {
        return transitions.succeedAll(successes);
    }

    @Override
    public Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error) {
        return transitions.fail(lease, outcome, error);
    }

    @Override
    public Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome, String error) {
        return transitions.requeue(lease, runAt, outcome, error);
    }

    @Override
    public Optional<JobRequest> release(Lease lease) {
        return transitions.release(lease);
    }

    @Override
    public Optional<JobRequest> markCancelled(Lease lease, String message) {
        return transitions.markCancelled(lease, message);
    }

    @Override
    public Optional<JobRequest> cancel(long id) {
        return transitions.cancel(id);
    }

    @Override
    public boolean pause(Pause pause) {
        return pauses.pause(pause);
    }

    @Override
    public boolean resume(Pause pause) {
        return pauses.resume(pause);
    }

    @Override
    public List<PausedWork> paused() {
        return pauses.list();
    }

    @Override
    public void defineLimits(List<JobLimit> defined) {
        limits.define(defined);
    }

    @Override
    public List<JobLimit> limits() {
        return limits.list();
    }

    @Override
    public void markHandedOff(Collection<Long> ids) {
        sweeps.markHandedOff(ids);
    }

    @Override
    public void clearHandOff(long id) {
        sweeps.clearHandOff(id);
    }

    @Override
    public List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore, Duration staleAfter,
                                          int limit) {
        return sweeps.claimHandOffs(runner, target, dueBefore, staleAfter, limit);
    }

    @Override
    public List<JobRequest> requeueAbandoned(String runner, String target) {
        return sweeps.requeueAbandoned(runner, target);
    }

    @Override
    public List<JobRequest> failAbandoned() {
        return sweeps.failAbandoned();
    }

    @Override
    public int purgeFinished(Duration retention) {
        return sweeps.purgeFinished(retention);
    }

    @Override
    public int purgeFinished(Set<JobStatus> statuses, Duration olderThan, int limit) {
        return sweeps.purgeFinished(statuses, olderThan, limit);
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
    public Optional<ScheduledJob> pauseSchedule(String name, boolean paused, Instant resumeAt) {
        return schedules.pause(name, paused, resumeAt);
    }

    @Override
    public ScheduleFiring fireSchedule(String name, Instant due, Instant next, Instant occurrence, NewJobRequest request) {
        return schedules.fire(name, due, next, occurrence, request);
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new JobStoreException("Could not close the job request store (" + access.description + ")", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbiJobRequestStore[" + access.description + "]";
    }
}
