package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.TaskHandler;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the in-process runners and their store from settings alone, as an application does. */
class InProcessSelectionTest {

    @TempDir
    Path directory;

    private final AtomicReference<String> taskThread = new AtomicReference<>();
    private final AtomicReference<String> jobThread = new AtomicReference<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    private HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .task(TaskHandler.of("where", String.class, text -> taskThread.set(Thread.currentThread().getName())))
                .job(JobHandler.of("echo", String.class, (text, context) -> text))
                .job(JobHandler.of("gated", String.class, (text, context) -> {
                    jobThread.set(Thread.currentThread().getName());
                    return gate.await(30, TimeUnit.SECONDS) ? text : null;
                }))
                .build();
    }

    @Test
    void unsetMeansInprocessAsyncOnTheEmbeddedStore() {
        Path embedded = directory.resolve("jobs");
        try (JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER_EMBEDDED_DIR", embedded.toString()))
                .handlers(handlers()).build()) {
            assertThat(runner.name()).isEqualTo("inprocess-async");
            assertThat(runner.jobs().description()).isEqualTo("the embedded store "
                    + embedded.resolve(EmbeddedJobRequestStore.FILE_NAME));
            JobRequest job = runner.dispatchJob(JobData.of("echo", "hi"));
            Await.until("the job ran", Duration.ofSeconds(30),
                    () -> runner.jobs().find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);
        }
        assertThat(Files.exists(embedded.resolve(EmbeddedJobRequestStore.FILE_NAME))).isTrue();
    }

    @Test
    void databaseUrlInTheUriFormSelectsPostgres() {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(InProcessSelectionTest.class);
             JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-sync",
                     "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test", "JOB_RUNNER_DB_SCHEMA", postgres.schema()))
                     .handlers(handlers()).build()) {
            assertThat(runner.jobs().description()).startsWith("PostgreSQL at ");
            assertThat(runner.dispatchJob(JobData.of("echo", "stored")).status()).isEqualTo(JobStatus.SUCCEEDED);
        }
    }

    @Test
    void legacyWithJobsSameProcessAndTasksSyncRunsTasksOnTheCallersThread() {
        try (JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "legacy", "JOBS_SAME_PROCESS", "1",
                "TASKS_SYNC", "true", "JOB_RUNNER_STORE", "memory")).handlers(handlers()).build()) {
            runner.dispatchTask("where", "x");
            assertThat(taskThread.get()).isEqualTo(Thread.currentThread().getName());
            JobRequest job = runner.dispatchJob(JobData.of("gated", "async"));
            assertThat(job.status()).as("dispatchJob returns before the job, which waits for the gate, ends")
                    .isIn(JobStatus.QUEUED, JobStatus.RUNNING);
            Await.until("the job started", Duration.ofSeconds(30), () -> jobThread.get() != null);
            assertThat(jobThread.get()).as("jobs run on the runner's threads").isNotEqualTo(Thread.currentThread().getName());
            gate.countDown();
            Await.until("the job ran", Duration.ofSeconds(30),
                    () -> runner.jobs().find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);
        }
    }

    @Test
    void legacyWithoutJobsSameProcessStoresJobsForTheDatabaseWorkerAsSpokeMeantIt() {
        assertThatThrownBy(() -> JobRunners.builder().environment(Map.of("JOB_RUNNER", "legacy", "JOB_RUNNER_STORE", "memory"))
                .handlers(handlers()).build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("JOBS_SAME_PROCESS")
                .hasMessageContaining("DATABASE_URL");

        Map<String, String> shared = Map.of("JOB_RUNNER", "legacy", "JOB_RUNNER_EMBEDDED_DIR", directory.resolve("shared").toString(),
                "JOB_RUNNER_POLL_INTERVAL", "100ms");
        try (JobRunner producer = JobRunners.builder().environment(shared).handlers(handlers()).build()) {
            assertThat(producer.name()).isEqualTo("legacy");
            JobRequest job = producer.dispatchJob(JobData.of("echo", "for the worker"));
            assertThat(job.runner()).isEqualTo("database");
            Await.holdsFor("nothing in the producer runs it", Duration.ofMillis(500),
                    () -> producer.jobs().find(job.id()).orElseThrow().status() == JobStatus.QUEUED);
            try (DatabaseWorker worker = DatabaseWorker.create(JobRunners.builder().environment(shared).handlers(handlers())
                    .config()).start()) {
                JobRequest done = Await.value("the worker ran it", Duration.ofSeconds(30),
                        () -> producer.jobs().find(job.id()).orElseThrow(), request -> request.status().isFinished());
                assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(done.history().get(0).worker()).isEqualTo(worker.id());
            }
        }
    }

    @Test
    void theInprocessAliasSelectsTheAsyncRunner() {
        try (JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess", "JOB_RUNNER_STORE", "memory"))
                .handlers(handlers()).build()) {
            assertThat(runner.name()).isEqualTo("inprocess-async");
        }
    }
}
