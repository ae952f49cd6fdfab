package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.ChaosRun;
import io.jobrunner.testkit.PostgresFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Database workers as processes, SIGKILLed every few seconds while thousands of jobs run, and cut
 * off from PostgreSQL once for several seconds by a proxy: see {@link ChaosRun}.
 */
class DatabaseWorkerChaosTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(DatabaseWorkerChaosTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Test
    void killedWorkersAndALostDatabaseLoseNoJobAndNeverOverlapTwoRunsOfOne() throws Exception {
        Map<String, String> producerSettings = Map.of("JOB_RUNNER", "database");
        Map<String, String> workerSettings = Map.of(
                "JOB_RUNNER", "database",
                "JOB_RUNNER_DB_POOL_SIZE", "6",
                "JOB_RUNNER_LEASE_TIME", "3s",
                "JOB_RUNNER_RECOVERY_INTERVAL", "1s",
                "JOB_RUNNER_POLL_INTERVAL", "500ms",
                "JOB_RUNNER_WORKER_TYPES", "chaos");
        try (JobRequestStore store = PostgresStores.openEmpty(postgres);
             JobRunner producer = JobRunners.builder().environment(producerSettings).handlers(HandlerRegistry.empty())
                     .store(store).build()) {
            ChaosRun.Figures figures = new ChaosRun("database workers", postgres, store, producer, workerSettings,
                    settings -> ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx256m")))
                    .run();
            assertThat(figures.kills()).isGreaterThanOrEqualTo(2);
            assertThat(figures.workersThroughCut()).isEqualTo(figures.workers());
        }
    }
}
