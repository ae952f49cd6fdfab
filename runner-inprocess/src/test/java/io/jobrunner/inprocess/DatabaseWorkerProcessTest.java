package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.testkit.PostgresFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DatabaseWorkerMain} as a real separate process: killed mid-job, stopped with SIGTERM, and on the embedded store. */
class DatabaseWorkerProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static PostgresFixture postgres;

    @TempDir
    Path directory;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(DatabaseWorkerProcessTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    private static Map<String, String> postgresSettings(String... extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER", "database");
        settings.put("DATABASE_URL", postgres.serverUrl());
        settings.put("JOB_RUNNER_DB_SCHEMA", postgres.schema());
        settings.put("JOB_RUNNER_DB_POOL_SIZE", "4");
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        return settings;
    }

    private static ChildJvm startWorkerProcess(Map<String, String> settings) {
        return ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx256m"));
    }

    private static JobRunner producer(Map<String, String> settings, JobRequestStore store) {
        return JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store).build();
    }

    private static JobRequest awaitStatus(JobRequestStore store, long id, JobStatus status) {
        return Await.value("job request " + id + " is " + status, TIMEOUT, () -> store.find(id).orElseThrow(),
                request -> request.status() == status);
    }

    @Test
    void aWorkerKilledMidJobLeavesItToAnotherWorkerWhichCompletesIt() throws Exception {
        Map<String, String> settings = postgresSettings("JOB_RUNNER_LEASE_TIME", "3s");
        try (JobRequestStore store = PostgresStores.openEmpty(postgres);
             JobRunner producer = producer(settings, store);
             ChildJvm doomed = startWorkerProcess(settings)) {
            JobRequest job = producer.dispatchJob(JobData.of(SleepOnceJob.TYPE, 120_000));
            JobRequest running = awaitStatus(store, job.id(), JobStatus.RUNNING);
            assertThat(running.lockedBy()).contains("@" + doomed.pid() + "@");

            doomed.kill();

            try (DatabaseWorker rescuer = DatabaseWorker.create(JobRunners.builder().environment(settings)
                    .handlers(HandlerRegistry.builder().job(new SleepOnceJob()).build()).store(store).config()).start()) {
                JobRequest done = awaitStatus(store, job.id(), JobStatus.SUCCEEDED);
                assertThat(done.attempts()).isEqualTo(2);
                assertThat(done.resultJson()).isEqualTo("\"done on attempt 2\"");
                assertThat(done.history().get(0).outcome()).hasToString("ABANDONED");
                assertThat(done.history().get(1).worker()).isEqualTo(rescuer.id());
            }
        }
    }

    /**
     * A worker frozen past its lease (SIGSTOP, as a long GC pause or a partition would) loses the job
     * to another worker; woken again (SIGCONT), it finds the lease lost at its next heartbeat, its
     * handler sees {@code isCancelled()} and is interrupted, and what it returns is not stored.
     */
    @Test
    void aWorkerFrozenPastItsLeaseIsToldToStopAndItsResultIsNotStored() throws Exception {
        Map<String, String> settings = postgresSettings("JOB_RUNNER_LEASE_TIME", "3s");
        try (JobRequestStore store = PostgresStores.openEmpty(postgres);
             JobRunner producer = producer(settings, store);
             ChildJvm frozen = startWorkerProcess(settings)) {
            JobRequest job = producer.dispatchJob(JobData.of(StopWhenToldJob.TYPE, 120_000));
            // frozen while its handler runs, not while the claimed job waits for a thread (a claim that
            // waited past half its lease is renewed before it starts, and not run once taken over)
            Await.until("the handler runs", TIMEOUT, () -> frozen.output().contains("stop-when-told attempt 1 started"));

            signal("STOP", frozen.pid());
            try (DatabaseWorker rescuer = DatabaseWorker.create(JobRunners.builder().environment(settings)
                    .handlers(HandlerRegistry.builder().job(new StopWhenToldJob()).build()).store(store).config()).start()) {
                JobRequest done = awaitStatus(store, job.id(), JobStatus.SUCCEEDED);
                assertThat(done.history().get(1).worker()).isEqualTo(rescuer.id());
            } finally {
                signal("CONT", frozen.pid());
            }

            // one heartbeat is a third of the lease: the handler is told well within the wait below
            Await.until("the frozen worker's handler was told to stop", Duration.ofSeconds(10),
                    () -> frozen.output().contains("stop-when-told attempt 1 interrupted")
                            || frozen.output().contains("stop-when-told attempt 1 saw"));
            assertThat(frozen.output()).contains("isCancelled() = true").contains("Lost the lease of job " + job.id());
            Await.holdsFor("the late result never stored", Duration.ofSeconds(2), () -> {
                JobRequest current = store.find(job.id()).orElseThrow();
                return current.status() == JobStatus.SUCCEEDED && "\"done on attempt 2\"".equals(current.resultJson())
                        && current.attempts() == 2;
            });
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
    }

    @Test
    void sigtermLetsTheRunningJobFinishBeforeTheProcessExits() throws Exception {
        Map<String, String> settings = postgresSettings("JOB_RUNNER_SHUTDOWN_TIMEOUT", "30s");
        try (JobRequestStore store = PostgresStores.openEmpty(postgres);
             JobRunner producer = producer(settings, store);
             ChildJvm worker = startWorkerProcess(settings)) {
            JobRequest job = producer.dispatchJob(JobData.of(SleepOnceJob.TYPE, 3_000));
            awaitStatus(store, job.id(), JobStatus.RUNNING);

            int exit = worker.terminate(60);

            assertThat(worker.output()).contains("Shutting down the database worker");
            JobRequest done = store.find(job.id()).orElseThrow();
            assertThat(done.status()).as("exit %d, output:%n%s", exit, worker.output()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.resultJson()).isEqualTo("\"done on attempt 1\"");
        }
    }

    @Test
    void onTheEmbeddedStoreTwoWorkerProcessesRunTheJobsOfAThirdEachOnce() throws Exception {
        Path shared = directory.resolve("shared");
        Map<String, String> settings = Map.of("JOB_RUNNER", "database", "JOB_RUNNER_EMBEDDED_DIR", shared.toString(),
                "JOB_RUNNER_POLL_INTERVAL", "100ms");
        try (JobRequestStore store = EmbeddedJobRequestStore.openDirectory(shared);
             JobRunner producer = producer(settings, store);
             ChildJvm first = startWorkerProcess(settings);
             ChildJvm second = startWorkerProcess(settings)) {
            Await.until("both workers started", TIMEOUT, () -> first.output().contains("takes job types")
                    && second.output().contains("takes job types"));
            List<JobData> jobs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                jobs.add(JobData.of(SleepOnceJob.TYPE, 20));
            }
            producer.dispatchJobs(jobs);

            Await.until("all 200 jobs succeeded", TIMEOUT, () ->
                    store.list(JobQuery.all().withStatus(JobStatus.SUCCEEDED).limit(JobQuery.MAX_LIMIT)).size() == 200);
            List<JobRequest> done = store.list(JobQuery.all().limit(JobQuery.MAX_LIMIT));
            assertThat(done).allSatisfy(request -> {
                assertThat(request.attempts()).isEqualTo(1);
                assertThat(request.history()).singleElement().satisfies(attempt -> assertThat(attempt.worker())
                        .containsAnyOf("@" + first.pid() + "@", "@" + second.pid() + "@"));
            });
            assertThat(done).anySatisfy(request -> assertThat(request.history().get(0).worker()).contains("@" + first.pid() + "@"));
            assertThat(done).anySatisfy(request -> assertThat(request.history().get(0).worker()).contains("@" + second.pid() + "@"));
        }
    }
}
