package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.TaskHandler;
import io.jobrunner.local.ChildJvm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A misconfigured application exits: a bad value of any setting fails the build of the runner
 * before a thread starts, so the JVM of a {@code main} that only builds one ends with an error.
 */
class BadSettingExitTest {

    @ParameterizedTest
    @CsvSource({
            "JOB_RUNNER_RETENTION, 2weeks",
            "JOB_RUNNER_RETENTION_FAILED, a month",
            "JOB_RUNNER_RECOVERY_INTERVAL, soon",
            "JOB_RUNNER_CLAIM_BATCH, lots",
            "JOB_RUNNER_SCHEDULER_INTERVAL, often",
            "JOB_RUNNER_SCHEDULER, sometimes",
            "JOB_RUNNER_CONCURRENCY, 0",
            "JOB_RUNNER_SQS_PREFETCH, -1"})
    void theJvmOfAnApplicationWithABadSettingExitsNamingIt(String variable, String value) throws Exception {
        try (ChildJvm application = ChildJvm.start(BuildsARunner.class.getName(),
                Map.of(variable, value, "JOB_RUNNER_STORE", "memory"), List.of("-Xmx128m"))) {
            OptionalInt exit = application.exitCodeWithin(Duration.ofSeconds(30));
            assertThat(exit).as("the JVM exited by itself; output:\n" + application.output()).isPresent();
            assertThat(exit.getAsInt()).isNotZero();
            assertThat(application.output()).contains("InvalidSettingException").contains(variable);
        }
    }

    /** An application's {@code main} that builds the default runner with a task and a job handler, and closes it. */
    public static final class BuildsARunner {
        public static void main(String[] args) {
            HandlerRegistry handlers = HandlerRegistry.builder()
                    .task(TaskHandler.of("noop", String.class, text -> { }))
                    .job(JobHandler.of("echo", String.class, (text, context) -> text))
                    .build();
            try (JobRunner runner = JobRunners.builder().handlers(handlers).build()) {
                System.out.println("built " + runner.name());
            }
        }
    }
}
