package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStoreException;
import io.jobrunner.JobWorker;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.StoreCheck;
import io.jobrunner.testkit.JobRequestStoreContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiJobRequestStoreTest extends JobRequestStoreContractTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(JdbiJobRequestStoreTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Override
    protected JobRequestStore openEmptyStore() {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return store;
    }

    private static NewJobRequest keyed(String key) {
        return new NewJobRequest("report", null, "{}", key, null, 1, "test");
    }

    @Test
    void aFailedStatementIsReportedWithoutItsSqlOrItsValues() {
        JobRequest running = store.claim(store.insert(keyed("secret-key")).request().id(), "worker-a",
                Duration.ofMinutes(1)).orElseThrow();
        assertThatThrownBy(() -> store.progress(Lease.of(running).orElseThrow(), 150,
                "the customer's card number"))
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining("record progress of job request " + running.id())
                .hasMessageNotContaining("the customer's card number")
                .hasMessageNotContaining("UPDATE job_request")
                .hasMessageNotContaining("secret-key");
    }

    @Test
    void aWorkerNotSeenForThreeHeartbeatsIsNotLiveAndOneGoneForADayIsForgotten() {
        store.registerWorker(JobWorker.registering("frozen", "h", "database", null, Set.of("a"), Set.of(), 1));
        store.registerWorker(JobWorker.registering("killed", "h", "database", null, Set.of("a"), Set.of(), 1));
        postgres.execute("UPDATE job_worker SET last_seen_at = now() - interval '31 seconds' WHERE id = 'frozen'");
        postgres.execute("UPDATE job_worker SET last_seen_at = now() - interval '25 hours' WHERE id = 'killed'");
        assertThat(store.workers()).extracting(JobWorker::id, JobWorker::live)
                .containsExactly(tuple("frozen", false), tuple("killed", false));

        store.registerWorker(JobWorker.registering("running", "h", "database", null, Set.of("a"), Set.of(), 1));
        assertThat(store.workers()).extracting(JobWorker::id, JobWorker::live)
                .containsExactly(tuple("frozen", false), tuple("running", true));
    }

    @Test
    void aRowChangedByHandIsNamedByIdAndListedByTheCheck() {
        long healthy = store.insert(keyed(null)).request().id();
        long changed = store.insert(keyed(null)).request().id();
        assertThat(store.check().ok()).isTrue();
        postgres.execute("UPDATE job_request SET attempt_history = '[{\"attempt\": 1, \"outcome\": \"exploded\"}]'"
                + " WHERE id = " + changed);

        assertThatThrownBy(() -> store.list(JobQuery.all()))
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining("job_request row " + changed + " cannot be read")
                .hasMessageContaining("Unknown attempt outcome 'exploded'")
                .hasMessageContaining("DELETE FROM job_request WHERE id = " + changed)
                .hasMessageContaining("jobrunner check");
        assertThat(store.find(healthy)).isPresent();
        StoreCheck check = store.check();
        assertThat(check.checked()).containsExactly("2 job requests read whole (payload, result, attempt history, times)",
                "0 schedules read whole");
        assertThat(check.problems()).hasSize(2);
        assertThat(check.problems().get(0)).startsWith("job_request row " + changed + " cannot be read");
        assertThat(check.problems().get(1)).contains("correct or delete them");
    }

    @Test
    void anInsertThroughTheCallersConnectionCommitsOrRollsBackWithItsTransaction() throws Exception {
        // The caller's connection uses the default search path, not the store's schema: the store names its table.
        try (Connection connection = DriverManager.getConnection(postgres.serverUrl())) {
            connection.setAutoCommit(false);
            InsertResult first = store.insert(connection, keyed("in-tx"));
            InsertResult again = store.insert(connection, keyed("in-tx"));
            assertThat(first.created()).isTrue();
            assertThat(again.outcome()).isEqualTo(InsertResult.Outcome.EXISTING);
            assertThat(again.request().id()).isEqualTo(first.request().id());
            assertThat(store.find(first.request().id())).as("uncommitted, so unseen by the store's pool").isEmpty();
            connection.rollback();
            assertThat(store.list(JobQuery.all())).isEmpty();

            long committed = store.insert(connection, keyed("committed")).request().id();
            connection.commit();
            assertThat(store.find(committed)).isPresent();
        }
    }

    @Test
    void claimsAndSweepsAreNeverRunFromAPlanCachedWhileTheTableLookedDifferent() throws Exception {
        HikariConfig oneConnection = new HikariConfig();
        oneConnection.setJdbcUrl(postgres.jdbcUrl());
        oneConnection.setMaximumPoolSize(1);
        try (HikariDataSource dataSource = new HikariDataSource(oneConnection);
             JdbiJobRequestStore onOne = JdbiJobRequestStore.create(dataSource)) {
            ClaimFilter filter = new ClaimFilter(Set.of("report"), Set.of(), "test");
            for (int i = 0; i < 8; i++) {  // more runs than the driver needs (5) to keep a statement prepared on the server
                onOne.insert(new NewJobRequest("report", null, "{}", null, null, 1, "test"));
                assertThat(onOne.claimNext(filter, "worker", Duration.ofMinutes(1), 1)).hasSize(1);
                onOne.failAbandoned();
            }
            List<String> prepared = new ArrayList<>();
            try (Connection same = dataSource.getConnection();
                 ResultSet rows = same.createStatement().executeQuery("SELECT statement FROM pg_prepared_statements")) {
                while (rows.next()) {
                    prepared.add(rows.getString(1));
                }
            }
            assertThat(prepared).as("the insert keeps its cached plan").anyMatch(sql -> sql.startsWith("INSERT INTO job_request"));
            assertThat(prepared).as("claims and sweeps are planned on every run")
                    .noneMatch(sql -> sql.contains("WITH queued AS") || sql.contains("attempts >= max_attempts"));
        }
    }

    @Test
    void aClaimByIdReadsItsRowsByPrimaryKeyEvenRightAfterABurstOfNewRows() throws Exception {
        List<NewJobRequest> burst = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            burst.add(new NewJobRequest("report", null, "{}", null, null, 1, "test").withHandOff("queue-a", true));
        }
        store.insertAll(burst);  // the table's statistics still describe it empty
        String claim = "EXPLAIN UPDATE job_request SET status = 'running' WHERE id IN (5, 6, 7) AND hand_off_target = 'queue-a'"
                + " AND " + new StoreStatements(SqlDialect.POSTGRESQL).claimable;
        StringBuilder plan = new StringBuilder();
        try (Connection connection = postgres.connect();
             ResultSet rows = connection.createStatement().executeQuery(claim)) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        assertThat(plan.toString()).as("the plan of a claim by id").contains("job_request_pkey")
                .doesNotContain("job_request_type_status").doesNotContain("running_locked_until");

        List<JobRequest> claimed = store.claimAll(List.of(5L, 6L, 7L), "queue-a", "worker", Duration.ofMinutes(1));
        assertThat(claimed).extracting(JobRequest::id).containsExactlyInAnyOrder(5L, 6L, 7L);
        assertThat(store.claimAll(List.of(5L, 8L), "queue-a", "worker", Duration.ofMinutes(1)))
                .as("one already claimed, one queued").extracting(JobRequest::id).containsExactly(8L);
    }

    private JobRequest queuedOf(String type, String key) {
        return store.insert(new NewJobRequest(type, null, "null", null, null, 1, "r").withConcurrencyKey(key)).request();
    }

    /**
     * A store that read no limit a moment ago claims without the limits' checks; a type another store
     * limited since is still never over its limit, whichever claim takes its jobs.
     */
    @Test
    void aStoreThatHasNotReadALimitDefinedElsewhereNeverPassesIt() {
        assertThat(store.claimNext(ClaimFilter.any(), "w", LEASE, 10)).as("this store reads: no limits").isEmpty();
        try (JdbiJobRequestStore other = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 2,
                postgres.schema())) {
            other.defineLimits(List.of(new io.jobrunner.JobLimit("limited-elsewhere", 1, 0, 0)));
            JobRequest first = queuedOf("limited-elsewhere", null);
            JobRequest second = queuedOf("limited-elsewhere", null);
            queuedOf("free", null);
            List<JobRequest> claimed = new ArrayList<>(store.claimNext(ClaimFilter.any(), "w", LEASE, 10));
            claimed.addAll(store.claimQueued(List.of(first.id(), second.id()), ClaimFilter.any(), "w", LEASE));
            store.claim(second.id(), "w", LEASE).ifPresent(claimed::add);
            claimed.addAll(store.claimAll(List.of(first.id(), second.id()), "none", "w", LEASE));
            claimed.addAll(other.claimNext(ClaimFilter.any(), "w2", LEASE, 10));
            assertThat(claimed).extracting(JobRequest::jobType).containsExactlyInAnyOrder("free", "limited-elsewhere");
        }
    }

    /** PostgreSQL passes a limited type's place from a finishing job to the next in one statement. */
    @Test
    void aSuccessHandsItsPlaceUnderALimitToTheNextJobOfItsTypeAndOfItsKey() {
        store.defineLimits(List.of(new io.jobrunner.JobLimit("one-at-a-time", 1, 0, 0),
                new io.jobrunner.JobLimit("per-account", 0, 1, 0),
                new io.jobrunner.JobLimit("rated", 0, 0, 0, new io.jobrunner.RateLimit(5, Duration.ofMinutes(1)), null, 0, null)));
        JobRequest first = queuedOf("one-at-a-time", null);
        JobRequest second = queuedOf("one-at-a-time", null);
        queuedOf("one-at-a-time", null);
        JobRequest running = store.claim(first.id(), "w", LEASE).orElseThrow();
        io.jobrunner.spi.store.SuccessAndNext passed = store.succeedAndTakeNext(Lease.of(running).orElseThrow(), "1", "done",
                ClaimFilter.any(), "w", LEASE);
        assertThat(passed.succeeded()).get().extracting(JobRequest::status).isEqualTo(io.jobrunner.JobStatus.SUCCEEDED);
        assertThat(passed.next()).get().satisfies(next -> {
            assertThat(next.id()).isEqualTo(second.id());
            assertThat(next.status()).isEqualTo(io.jobrunner.JobStatus.RUNNING);
            assertThat(next.lockedBy()).isEqualTo("w");
        });
        assertThat(store.claimNext(ClaimFilter.any(), "other", LEASE, 10)).as("the place is taken").isEmpty();
        assertThat(store.succeedAndTakeNext(Lease.of(running).orElseThrow(), "1", "again", ClaimFilter.any(), "w", LEASE))
                .as("a lease no longer held passes nothing")
                .isEqualTo(new io.jobrunner.spi.store.SuccessAndNext(java.util.Optional.empty(), java.util.Optional.empty()));

        JobRequest a1 = queuedOf("per-account", "a");
        queuedOf("per-account", "b");
        JobRequest a2 = queuedOf("per-account", "a");
        JobRequest runningA = store.claim(a1.id(), "w", LEASE).orElseThrow();
        assertThat(store.succeedAndTakeNext(Lease.of(runningA).orElseThrow(), null, null, ClaimFilter.any(), "w", LEASE)
                .next()).as("the next of the same key").get().extracting(JobRequest::id).isEqualTo(a2.id());

        JobRequest rated = queuedOf("rated", null);
        queuedOf("rated", null);
        JobRequest runningRated = store.claim(rated.id(), "w", LEASE).orElseThrow();
        assertThat(store.succeedAndTakeNext(Lease.of(runningRated).orElseThrow(), null, null, ClaimFilter.any(), "w", LEASE)
                .next()).as("a rate-limited type counts its starts: no hand-over").isEmpty();
        JobRequest plain = queuedOf("unlimited", null);
        queuedOf("unlimited", null);
        JobRequest runningPlain = store.claim(plain.id(), "w", LEASE).orElseThrow();
        assertThat(store.succeedAndTakeNext(Lease.of(runningPlain).orElseThrow(), null, null, ClaimFilter.any(), "w", LEASE)
                .next()).as("no limit: no place to hand over").isEmpty();
    }
}
