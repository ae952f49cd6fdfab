package io.jobrunner.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SnapStart hooks on a function that has run a job on PostgreSQL: closed before the snapshot, rebuilt after. */
class SnapStartHooksTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(SnapStartHooksTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Test
    void theSnapshotHoldsNoConnectionsAndARestoredFunctionRunsJobsUnderAnOwnerOfItsOwn() throws Exception {
        FunctionRuntime runtime = new FunctionRuntime(JobRunners.builder()
                .environment(Map.of("DATABASE_URL", postgres.serverUrl(), "JOB_RUNNER_DB_SCHEMA", postgres.schema()))
                .handlers(HandlerRegistry.builder().job(JobHandler.of("double", Integer.class, (n, context) -> n * 2)).build())
                .config());
        try (JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 2,
                postgres.schema())) {
            JobRequest first = store.insert(new NewJobRequest("double", null, "2", null, null, 1, "lambda-async")).request();
            JobRuns.Run before = runtime.runJob(first.id(), null, Instant.now().plusSeconds(60));
            assertThat(before.request().status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(runtime.holdsConnections()).isTrue();

            SnapStartHooks hooks = new SnapStartHooks(runtime);
            hooks.beforeCheckpoint(null);
            assertThat(runtime.holdsConnections()).as("nothing open goes into the snapshot").isFalse();
            hooks.afterRestore(null);

            JobRequest second = store.insert(new NewJobRequest("double", null, "5", null, null, 1, "lambda-async")).request();
            JobRuns.Run after = runtime.runJob(second.id(), null, Instant.now().plusSeconds(60));
            assertThat(after.request().status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(after.request().resultJson()).isEqualTo("10");
            String ownerBefore = before.request().history().get(0).worker();
            String ownerAfter = after.request().history().get(0).worker();
            assertThat(ownerAfter).as("a restored container claims under an id of its own").isNotEqualTo(ownerBefore)
                    .startsWith("lambda:");
        }
    }
}
