package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadException;
import io.jobrunner.TaskFailedException;
import io.jobrunner.TaskHandler;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** What {@code inprocess-sync} adds to the contract: everything happens before dispatch returns. */
class InProcessSyncBehaviourTest {

    private final AtomicReference<String> taskThread = new AtomicReference<>();

    private JobRunner runner(JdbiJobRequestStore store) {
        HandlerRegistry handlers = HandlerRegistry.builder()
                .task(TaskHandler.of("where", String.class, text -> taskThread.set(Thread.currentThread().getName())))
                .task(TaskHandler.of("explode", String.class, text -> {
                    throw new IllegalStateException("explodes on purpose: " + text);
                }))
                .job(JobHandler.of("double", Integer.class, (n, context) -> n * 2))
                .job(JobHandler.of("generate-report", Report.class, (report, context) -> report.name()))
                .job(JobHandler.of("broken", Integer.class, JobPolicy.builder().idempotent().build(), (n, context) -> {
                    throw new IllegalStateException("broken job " + n);
                }))
                .build();
        return JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-sync", "JOB_RUNNER_RETRY_BASE_DELAY", "10ms"))
                .handlers(handlers).store(store).build();
    }

    @Test
    void aTaskRunsOnTheCallersThreadAndItsFailureReachesTheCaller() {
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.inMemory(); JobRunner runner = runner(store)) {
            runner.dispatchTask("where", "here");
            assertThat(taskThread.get()).isEqualTo(Thread.currentThread().getName());

            assertThatThrownBy(() -> runner.dispatchTask("explode", "now"))
                    .isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("'explode'")
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("explodes on purpose: now");
        }
    }

    public record Report(String name, int sections) {
    }

    @Test
    void aJobAndATaskRunWithTheirMdcKeysOnTheCallersThreadAndTheCallersOwnValuesComeBackAfter() {
        AtomicReference<String> seen = new AtomicReference<>();
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("mdc", Integer.class, (n, context) -> {
                    seen.set(MDC.get("jobId") + "/" + MDC.get("jobType") + "/" + MDC.get("jobAttempt"));
                    return n;
                }))
                .task(TaskHandler.of("mdc-task", String.class, text -> seen.set(MDC.get("taskName"))))
                .build();
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.inMemory();
             JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-sync"))
                     .handlers(handlers).store(store).build()) {
            MDC.put("jobId", "the caller's own");
            try {
                JobRequest request = runner.dispatchJob(JobData.of("mdc", 1));

                assertThat(seen.get()).isEqualTo(request.id() + "/mdc/1");
                assertThat(MDC.get("jobId")).isEqualTo("the caller's own");
                assertThat(MDC.get("jobType")).isNull();
                assertThat(MDC.get("jobAttempt")).isNull();
            } finally {
                MDC.remove("jobId");
            }
            runner.dispatchTask("mdc-task", "x");
            assertThat(seen.get()).isEqualTo("mdc-task");
            assertThat(MDC.get("taskName")).isNull();
        }
    }

    @Test
    void aJobWhosePayloadHasAPropertyTheHandlersTypeLacksIsRefusedAtDispatchNamingIt() {
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.inMemory(); JobRunner runner = runner(store)) {
            assertThatThrownBy(() -> runner.dispatchJob(JobData.of("generate-report", Map.of("email", "ada@example.com"))))
                    .isInstanceOf(PayloadException.class)
                    .hasMessageContaining("'email'").hasMessageContaining(Report.class.getName())
                    .hasMessageContaining("JOB_RUNNER_PAYLOADS=lenient");
            assertThatThrownBy(() -> runner.dispatchTask("where", Map.of("not", "a string")))
                    .as("a task's payload too").isInstanceOf(PayloadException.class);
            assertThat(store.list(JobQuery.all())).as("nothing stored").isEmpty();
            assertThat(runner.dispatchJob(JobData.of("generate-report", new Report("weekly", 2))).resultJson())
                    .isEqualTo("\"weekly\"");
        }
    }

    @Test
    void dispatchJobReturnsTheRequestAsItStandsAfterTheRun() {
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.inMemory(); JobRunner runner = runner(store)) {
            JobRequest done = runner.dispatchJob(JobData.of("double", 21));
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.resultJson()).isEqualTo("42");

            JobRequest failed = runner.dispatchJob(JobData.builder("broken").payload(7).maxAttempts(2).build());
            assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
            assertThat(failed.attempts()).isEqualTo(2);
            assertThat(failed.lastError()).contains("broken job 7");
        }
    }
}
