package io.jobrunner.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.Pause;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.PostgresFixture;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters read from a {@link SimpleMeterRegistry} after real runs on PostgreSQL, in-process and through SQS. */
class JobRunnerMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static PostgresFixture postgres;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch release = new CountDownLatch(1);
    private JobRequestStore store;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(JobRunnerMetricsTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @BeforeEach
    void openStore() {
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
    }

    @AfterEach
    void closeStore() {
        release.countDown();
        store.close();
    }

    private HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .job(JobHandler.of("ok", Integer.class, (n, context) -> n))
                .job(JobHandler.of("boom", Integer.class, (n, context) -> {
                    throw new IllegalStateException("boom " + n);
                }))
                .job(JobHandler.of("flaky", Integer.class, JobPolicy.builder().idempotent().maxAttempts(3)
                        .backoff(Duration.ofMillis(50), Duration.ofMillis(50)).build(), (n, context) -> {
                    if (context.attempt() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    return n;
                }))
                .job(JobHandler.of("slow", Integer.class, JobPolicy.builder().timeout(Duration.ofMillis(100)).build(),
                        (n, context) -> {
                            Thread.sleep(10_000);
                            return n;
                        }))
                .job(JobHandler.of("held", Integer.class, (n, context) -> {
                    while (!context.isCancelled()) {
                        release.await(20, TimeUnit.MILLISECONDS);
                    }
                    return null;
                }))
                .build();
    }

    private double counter(String name, String runner, String type) {
        return registry.get(name).tag("runner", runner).tag("type", type).counter().count();
    }

    /** Counters of attempts are awaited: the listener hears of an attempt after its outcome is stored. */
    private void awaitCount(String name, String runner, String type, double expected) {
        Await.until(name + " of " + type + " to reach " + expected, TIMEOUT, () -> registry.find(name).tag("runner", runner)
                .tag("type", type).counters().stream().mapToDouble(c -> c.count()).sum() == expected);
        assertThat(counter(name, runner, type)).isEqualTo(expected);
    }

    @Test
    void inProcessRunsCountEveryOutcomeTimeAttemptsAndGaugeTheStore() {
        try (JobRunner runner = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "inprocess-async"))
                .handlers(handlers()).store(store).listener(new JobRunnerMetrics(registry)).build()) {
            List<JobData> oks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                oks.add(JobData.of("ok", i));
            }
            List<JobRequest> dispatched = new ArrayList<>(runner.dispatchJobs(oks));
            dispatched.add(runner.dispatchJob(JobData.builder("ok").payload(9).dedupKey("once").build()));
            dispatched.add(runner.dispatchJob(JobData.builder("ok").payload(9).dedupKey("once").build()));
            dispatched.add(runner.dispatchJob(JobData.of("boom", 1)));
            dispatched.add(runner.dispatchJob(JobData.of("flaky", 2)));
            dispatched.add(runner.dispatchJob(JobData.of("slow", 3)));
            JobRequest held = runner.dispatchJob(JobData.of("held", 4));
            for (JobRequest request : dispatched) {
                runner.jobs().await(request.id(), TIMEOUT).orElseThrow();
            }
            Await.until("the held job to run", TIMEOUT,
                    () -> runner.jobs().find(held.id()).orElseThrow().status() == JobStatus.RUNNING);
            assertThat(registry.get(JobRunnerMetrics.RUNNING).tag("runner", "inprocess-async").gauge().value())
                    .as("read from the store: the held job").isEqualTo(1.0);
            runner.jobs().cancel(held.id());
            assertThat(runner.jobs().await(held.id(), TIMEOUT).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);

            assertThat(counter(JobRunnerMetrics.DISPATCHED, "inprocess-async", "ok")).as("5 bulk, 1 by key, 1 dedup hit")
                    .isEqualTo(6);
            awaitCount(JobRunnerMetrics.SUCCEEDED, "inprocess-async", "ok", 6);
            awaitCount(JobRunnerMetrics.FAILED, "inprocess-async", "boom", 1);
            awaitCount(JobRunnerMetrics.RETRIED, "inprocess-async", "flaky", 1);
            awaitCount(JobRunnerMetrics.SUCCEEDED, "inprocess-async", "flaky", 1);
            awaitCount(JobRunnerMetrics.TIMED_OUT, "inprocess-async", "slow", 1);
            awaitCount(JobRunnerMetrics.FAILED, "inprocess-async", "slow", 1);
            awaitCount(JobRunnerMetrics.CANCELLED, "inprocess-async", "held", 1);

            Timer runs = registry.get(JobRunnerMetrics.RUN).tag("type", "slow").tag("outcome", "failed").timer();
            assertThat(runs.count()).isEqualTo(1);
            assertThat(runs.totalTime(TimeUnit.MILLISECONDS)).as("at least the timeout").isGreaterThanOrEqualTo(100);
            Timer waits = registry.get(JobRunnerMetrics.WAIT).tag("type", "flaky").timer();
            assertThat(waits.count()).as("both attempts").isEqualTo(2);
            assertThat(registry.get(JobRunnerMetrics.WAIT).tag("type", "ok").timer().count()).isEqualTo(6);
            Gauge queued = registry.get(JobRunnerMetrics.QUEUED).tag("runner", "inprocess-async").gauge();
            assertThat(queued.value()).isZero();
        }
    }

    @Test
    void pausesTheJobsTheyHoldAndJobsWaitingForOthersAreGauged() {
        store.defineLimits(List.of(new io.jobrunner.JobLimit("elsewhere", 2, 0, 0,
                new io.jobrunner.RateLimit(10, Duration.ofMinutes(1)), null, 0, null)));
        try (JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-async"))
                .handlers(handlers()).store(store).listener(new JobRunnerMetrics(registry)).build()) {
            runner.jobs().pause(Pause.jobType("ok"));
            runner.jobs().pause(Pause.queue("later"));
            runner.dispatchJob(JobData.of("ok", 1));
            runner.dispatchJob(JobData.of("ok", 2));
            JobRequest held = runner.dispatchJob(JobData.builder("boom").payload(3).queue("later").build());
            runner.dispatchJob(JobData.builder("ok").payload(4).after(held.id()).build());

            assertThat(registry.get(JobRunnerMetrics.WAITING).tag("runner", "inprocess-async").gauge().value())
                    .as("waiting for the held job").isEqualTo(1);
            assertThat(registry.get(JobRunnerMetrics.QUEUED).tag("runner", "inprocess-async").gauge().value()).isEqualTo(3);
            assertThat(registry.get(JobRunnerMetrics.LIMITED_RUNNING).tag("type", "elsewhere").gauge().value()).isZero();
            assertThat(registry.get(JobRunnerMetrics.LIMITED_STARTED).tag("type", "elsewhere").gauge().value()).isZero();
            assertThat(registry.get(JobRunnerMetrics.PAUSES).tag("runner", "inprocess-async").gauge().value()).isEqualTo(2);
            assertThat(registry.get(JobRunnerMetrics.HELD).tag("runner", "inprocess-async").gauge().value()).isEqualTo(3);
            assertThat(registry.get(JobRunnerMetrics.QUEUED).tag("runner", "inprocess-async").gauge().value()).isEqualTo(3);
            runner.jobs().resume(Pause.jobType("ok"));
            runner.jobs().resume(Pause.queue("later"));
        }
    }

    @Test
    void anSqsWorkerReportsItsSlotsAndTheMessagesItReceivedAndDeleted() {
        try (LocalSqs sqs = LocalSqs.start()) {
            LocalSqs.Queue queue = sqs.createQueue("metrics", 30, 5);
            Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
            settings.put("JOB_RUNNER", "sqs");
            settings.put("JOB_RUNNER_SQS_WAIT_TIME", "1s");
            settings.put("JOB_RUNNER_CONCURRENCY", "4");
            JobRunnerMetrics metrics = new JobRunnerMetrics(registry);
            try (JobRunner producer = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty())
                    .store(store).listener(metrics).build();
                 SqsWorker worker = SqsWorker.create(JobRunners.builder().environment(settings).handlers(handlers())
                         .store(store).listener(metrics).config()).start()) {
                List<JobData> jobs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    jobs.add(JobData.of("ok", i));
                }
                for (JobRequest request : producer.dispatchJobs(jobs)) {
                    assertThat(producer.jobs().await(request.id(), TIMEOUT).orElseThrow().status())
                            .isEqualTo(JobStatus.SUCCEEDED);
                }
                assertThat(counter(JobRunnerMetrics.DISPATCHED, "sqs", "ok")).isEqualTo(20);
                awaitCount(JobRunnerMetrics.SUCCEEDED, "sqs", "ok", 20);
                assertThat(registry.get(JobRunnerMetrics.SLOTS).tag("runner", "sqs").gauge().value()).isEqualTo(4);
                assertThat(registry.get(JobRunnerMetrics.SLOTS_USED).tag("runner", "sqs").gauge().value())
                        .isBetween(0.0, 4.0);
                FunctionCounter received = registry.get(JobRunnerMetrics.MESSAGES_RECEIVED).tag("runner", "sqs")
                        .functionCounter();
                assertThat(received.count()).isEqualTo(20);
                FunctionCounter deleted = registry.get(JobRunnerMetrics.MESSAGES_DELETED).tag("runner", "sqs")
                        .functionCounter();
                Await.until("the deletes to be sent", TIMEOUT, () -> deleted.count() == 20);
            }
        }
    }
}
