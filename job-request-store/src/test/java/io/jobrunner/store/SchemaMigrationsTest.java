package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.JobStoreException;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

    @Test
    void processesStartingTogetherApplyEachMigrationOnce() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(SchemaMigrationsTest.class)) {
            int starters = 6;
            ExecutorService pool = Executors.newFixedThreadPool(starters);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<JdbiJobRequestStore>> stores = new ArrayList<>();
            for (int i = 0; i < starters; i++) {
                stores.add(pool.submit(() -> {
                    start.await();
                    return JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 2, postgres.schema());
                }));
            }
            start.countDown();
            for (Future<JdbiJobRequestStore> store : stores) {
                try (JdbiJobRequestStore opened = store.get(60, TimeUnit.SECONDS)) {
                    assertThat(opened.insert(new NewJobRequest("a", null, "null", null, null, 1, "t")).created()).isTrue();
                }
            }
            pool.shutdown();

            try (Connection connection = postgres.connect();
                 ResultSet rs = connection.createStatement().executeQuery(
                         "SELECT version, count(*) FROM jobrunner_schema_history GROUP BY version ORDER BY version")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getInt(1) + ":" + rs.getInt(2));
                }
                assertThat(rows).containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1");
            }
            try (JdbiJobRequestStore again = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                    postgres.schema())) {
                assertThat(again.list(io.jobrunner.JobQuery.all())).hasSize(starters);
            }
        }
    }

    @Test
    void aSchemaAtTheFirstVersionGainsTheWorkersRegistryAndKeepsItsRequests() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(SchemaMigrationsTest.class)) {
            long id;
            try (JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                    postgres.schema())) {
                id = store.insert(new io.jobrunner.spi.store.NewJobRequest("a", null, "{}", null, null, 1, "test"))
                        .request().id();
            }
            postgres.execute("DROP TABLE job_worker");
            postgres.execute("DELETE FROM jobrunner_schema_history WHERE version = 2");

            try (JdbiJobRequestStore upgraded = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                    postgres.schema())) {
                assertThat(upgraded.find(id)).isPresent();
                upgraded.registerWorker(io.jobrunner.JobWorker.registering("w", "h", "database", null,
                        java.util.Set.of("a"), java.util.Set.of(), 1));
                assertThat(upgraded.workers()).hasSize(1);
            }
        }
    }

    @Test
    void aSchemaAtTheSecondVersionGainsTheTraceParentAndKeepsItsRequests() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(SchemaMigrationsTest.class)) {
            long id;
            try (JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                    postgres.schema())) {
                id = store.insert(new NewJobRequest("a", null, "{}", null, null, 1, "test")).request().id();
            }
            postgres.execute("ALTER TABLE job_request DROP COLUMN trace_parent");
            postgres.execute("DELETE FROM jobrunner_schema_history WHERE version = 3");

            try (JdbiJobRequestStore upgraded = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                    postgres.schema())) {
                assertThat(upgraded.find(id)).map(io.jobrunner.JobRequest::traceParent).as("an old row traced nothing")
                        .isEmpty();
                String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
                long traced = upgraded.insert(new NewJobRequest("a", null, "{}", null, null, 1, "test")
                        .withTraceParent(trace)).request().id();
                assertThat(upgraded.find(traced)).map(io.jobrunner.JobRequest::traceParent).contains(trace);
            }
        }
    }

    @Test
    void aSchemaMadeByAnEarlierSnapshotIsRefusedWithTheWayOut() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(SchemaMigrationsTest.class)) {
            try (Connection connection = postgres.connect()) {
                connection.createStatement().execute("CREATE TABLE jobrunner_schema_history (version integer PRIMARY KEY,"
                        + " description text NOT NULL, installed_at timestamptz NOT NULL DEFAULT now())");
                connection.createStatement().execute("INSERT INTO jobrunner_schema_history (version, description)"
                        + " VALUES (1, 'create_job_request'), (2, 'add_handed_off_at')");
            }
            assertThatThrownBy(() -> JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining("snapshot before 0.1.0")
                    .hasMessageContaining("JOB_RUNNER_DB_SCHEMA");
        }
    }
}
