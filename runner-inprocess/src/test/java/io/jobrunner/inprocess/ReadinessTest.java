package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fullyConfigured() and readiness() mean something: the runner is open, and its store answers. */
class ReadinessTest {

    private static final HandlerRegistry HANDLERS = HandlerRegistry.builder()
            .job(JobHandler.of("echo", String.class, (text, context) -> text)).build();

    @Test
    void anOpenRunnerWhoseStoreAnswersIsReadyAndAClosedOneIsNot() {
        JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER_STORE", "memory")).handlers(HANDLERS).build();
        assertThat(runner.fullyConfigured()).isTrue();
        assertThat(runner.readiness().ready()).isTrue();
        runner.close();
        assertThat(runner.fullyConfigured()).isFalse();
        assertThat(runner.readiness().problems()).containsExactly("runner 'inprocess-async' is closed");
    }

    @Test
    void aStoreThatDoesNotAnswerIsNamed() {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(ReadinessTest.class)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 2, postgres.schema());
            try (JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "database")).handlers(HANDLERS)
                    .store(store).build()) {
                assertThat(runner.readiness().ready()).isTrue();
                store.close();  // the pool is gone, as when the database is unreachable
                assertThat(runner.readiness().problems()).singleElement().asString()
                        .startsWith("PostgreSQL at ").contains("does not answer");
            }
        }
    }
}
