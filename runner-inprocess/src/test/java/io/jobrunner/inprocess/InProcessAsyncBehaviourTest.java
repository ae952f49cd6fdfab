package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jobrunner.DispatchRejectedException;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.Pause;
import io.jobrunner.TaskHandler;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What {@code inprocess-async} adds to the contract: draining, back-pressure, recovery. */
class InProcessAsyncBehaviourTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static PostgresFixture postgres;

    private final AtomicInteger ran = new AtomicInteger();
    /** Tasks running now and at most at once; the same for jobs, which run on threads of their own. */
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final AtomicInteger jobsRunning = new AtomicInteger();
    private final AtomicInteger mostJobsAtOnce = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final java.util.Queue<long[]> runs = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private JobRequestStore store;
    private final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(InProcessAsyncBehaviourTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @BeforeEach
    void openStore() {
        store = PostgresStores.openEmpty(postgres);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .task(TaskHandler.of("wait", Integer.class, millis -> work(millis, running, mostAtOnce)))
                .task(TaskHandler.of("explode", String.class, text -> {
                    throw new IllegalArgumentException("explodes on purpose: " + text);
                }))
                .job(JobHandler.of("wait", Integer.class, (millis, context) -> {
                    work(millis, jobsRunning, mostJobsAtOnce);
                    return null;
                }))
                .job(JobHandler.of("wait-idempotent", Integer.class, JobPolicy.builder().idempotent().build(),
                        (millis, context) -> {
                            work(millis, jobsRunning, mostJobsAtOnce);
                            return null;
                        }))
                .job(JobHandler.of("slow-to-stop", Integer.class, JobPolicy.builder().idempotent().maxAttempts(2)
                        .backoff(Duration.ZERO, Duration.ZERO).timeout(Duration.ofMillis(200)).build(),
                        (cleanupMillis, context) -> {
                            long started = System.nanoTime();
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                long cleanupEnd = System.nanoTime() + cleanupMillis * 1_000_000L;
                                while (System.nanoTime() < cleanupEnd) {
                                    Thread.onSpinWait();
                                }
                            }
                            runs.add(new long[] {started, System.nanoTime()});
                            return null;
                        }))
                .job(JobHandler.of("ordered", String.class, (name, context) -> {
                    order.add(name);
                    return null;
                }))
                .job(JobHandler.of("urgent", String.class, JobPolicy.builder().priority(7).build(), (name, context) -> {
                    order.add(name);
                    return null;
                }))
                .job(JobHandler.of("block-until-interrupted", String.class, (text, context) -> {
                    Thread.sleep(60_000);
                    return null;
                }))
                .build();
    }

    private void work(int millis, AtomicInteger running, AtomicInteger mostAtOnce) throws InterruptedException {
        int now = running.incrementAndGet();
        mostAtOnce.accumulateAndGet(now, Math::max);
        try {
            gate.await();
            Thread.sleep(millis);
            ran.incrementAndGet();
        } finally {
            running.decrementAndGet();
        }
    }

    private JobRunner runner(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("JOB_RUNNER", "inprocess-async",
                "JOB_RUNNER_RETRY_BASE_DELAY", "20ms", "JOB_RUNNER_RECOVERY_INTERVAL", "100ms"));
        env.putAll(extra);
        return JobRunners.builder().environment(env).handlers(handlers()).store(store).build();
    }

    @Test
    void heldJobsRunHighestPriorityFirstOnOneThreadOnceResumedAndATypesPolicyGivesItsDefault() {
        try (JobRunner runner = runner(Map.of("JOB_RUNNER_CONCURRENCY", "1"))) {
            runner.jobs().pause(Pause.queue("lane"));
            List<JobRequest> held = new ArrayList<>();
            held.add(runner.dispatchJob(JobData.builder("ordered").payload("low").queue("lane").priority(-3).build()));
            held.add(runner.dispatchJob(JobData.builder("ordered").payload("plain").queue("lane").build()));
            held.add(runner.dispatchJob(JobData.builder("urgent").payload("by policy").queue("lane").build()));
            held.add(runner.dispatchJob(JobData.builder("ordered").payload("high").queue("lane").priority(9).build()));
            held.add(runner.dispatchJob(JobData.builder("urgent").payload("lowered").queue("lane").priority(-5).build()));
            assertThat(held).extracting(JobRequest::priority).containsExactly(-3, 0, 7, 9, -5);
            Await.holdsFor("nothing runs while the queue is paused", Duration.ofMillis(500), order::isEmpty);

            runner.jobs().resume(Pause.queue("lane"));

            for (JobRequest request : held) {
                assertThat(runner.jobs().await(request.id(), Duration.ofSeconds(30)).orElseThrow().status())
                        .isEqualTo(JobStatus.SUCCEEDED);
            }
            assertThat(order).containsExactly("high", "by policy", "plain", "low", "lowered");
        }
    }

    @Test
    void finishedRequestsPastTheirRetentionAreDeletedByTheRecoverySweepAndTheRestKept() throws Exception {
        try (JobRunner runner = runner(Map.of("JOB_RUNNER_RECOVERY_INTERVAL", "100ms",
                "JOB_RUNNER_RETENTION_SUCCEEDED", "300ms", "JOB_RUNNER_RETENTION_FAILED", "off"))) {
            JobRequest succeeded = runner.dispatchJob(JobData.of("wait", 0));
            JobRequest inserted = store.insert(new NewJobRequest("wait", null, "0", null, null, 1, "elsewhere")).request();
            JobRequest failed = store.fail(Lease.of(store.claim(inserted.id(), "test", TIMEOUT).orElseThrow()).orElseThrow(),
                    "boom").orElseThrow();
            JobRequest later = runner.dispatchJob(JobData.builder("wait").payload(0).runAt(Instant.now().plusSeconds(60))
                    .build());
            assertThat(runner.jobs().await(succeeded.id(), TIMEOUT)).isPresent();

            Await.value("the succeeded request is deleted", TIMEOUT, () -> runner.jobs().find(succeeded.id()),
                    Optional::isEmpty);
            assertThat(runner.jobs().find(later.id())).as("queued: never deleted").isPresent();
            assertThat(runner.jobs().find(failed.id())).as("failed requests kept (off)").isPresent();
        }
    }

    @Test
    void closeLetsQueuedAndRunningWorkFinish() {
        JobRunner runner = runner(Map.of("JOB_RUNNER_CONCURRENCY", "2"));
        List<JobRequest> jobs = List.of(runner.dispatchJob(JobData.of("wait", 200)), runner.dispatchJob(JobData.of("wait", 200)),
                runner.dispatchJob(JobData.of("wait", 200)));
        for (int i = 0; i < 5; i++) {
            runner.dispatchTask("wait", 50);
        }

        runner.close();

        assertThat(ran.get()).isEqualTo(8);
        for (JobRequest job : jobs) {
            assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        }
        assertThat(mostAtOnce.get()).as("tasks at once").isLessThanOrEqualTo(2);
        assertThat(mostJobsAtOnce.get()).as("jobs at once").isLessThanOrEqualTo(2);
    }

    @Test
    void closeInterruptsWhatOutlivesTheShutdownTimeoutAndReleasesTheJobWithoutCountingTheAttempt() {
        JobRunner runner = runner(Map.of("JOB_RUNNER_SHUTDOWN_TIMEOUT", "300ms"));
        JobRequest job = runner.dispatchJob(JobData.of("block-until-interrupted", "x"));
        Await.until("the job is running", TIMEOUT, () -> store.find(job.id()).orElseThrow().status() == JobStatus.RUNNING);

        long started = System.nanoTime();
        runner.close();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
        JobRequest after = store.find(job.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(after.attempts()).isZero();
        assertThat(after.lockedBy()).isNull();
    }

    @Test
    void aFullQueueBlocksCallersThenRejectsAndNeverHoldsMoreThanItsBound() {
        gate = new CountDownLatch(1);
        JobRunner runner = runner(Map.of("JOB_RUNNER_CONCURRENCY", "1", "JOB_RUNNER_QUEUE_CAPACITY", "2",
                "JOB_RUNNER_DISPATCH_TIMEOUT", "300ms"));
        try {
            runner.dispatchTask("wait", 1);
            runner.dispatchTask("wait", 1);
            runner.dispatchTask("wait", 1);

            long started = System.nanoTime();
            assertThatThrownBy(() -> runner.dispatchTask("wait", 1))
                    .isInstanceOf(DispatchRejectedException.class)
                    .hasMessageContaining("1 running, 2 waiting")
                    .hasMessageContaining("JOB_RUNNER_QUEUE_CAPACITY");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(250);

            gate.countDown();
            Await.until("the three accepted tasks ran", TIMEOUT, () -> ran.get() == 3);
            runner.dispatchTask("wait", 1);
            Await.until("a task fits again once the queue drained", TIMEOUT, () -> ran.get() == 4);
        } finally {
            gate.countDown();
            runner.close();
        }
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }

    @Test
    void tasksFillingTheirPoolAndQueueDoNotHoldJobsBackWhichRunOnThreadsOfTheirOwn() {
        gate = new CountDownLatch(1);
        JobRunner runner = runner(Map.of("JOB_RUNNER_CONCURRENCY", "1", "JOB_RUNNER_QUEUE_CAPACITY", "1",
                "JOB_RUNNER_DISPATCH_TIMEOUT", "100ms"));
        try {
            runner.dispatchTask("wait", 1);
            runner.dispatchTask("wait", 1);
            assertThatThrownBy(() -> runner.dispatchTask("wait", 1)).isInstanceOf(DispatchRejectedException.class);
            JobRequest job = runner.dispatchJob(JobData.of("wait", 1));
            assertThat(job.status()).as("stored claimed: its thread is free").isEqualTo(JobStatus.RUNNING);
            Await.until("the job started while the tasks wait", TIMEOUT, () -> jobsRunning.get() == 1);
            assertThat(running.get()).as("tasks running").isEqualTo(1);

            gate.countDown();
            JobRequest done = Await.value("the job finished", TIMEOUT, () -> store.find(job.id()).orElseThrow(),
                    request -> request.status().isFinished());
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        } finally {
            gate.countDown();
            runner.close();
        }
    }

    @Test
    void aFailingTaskIsLoggedAndDoesNotReachTheCallerOrStopLaterTasks() {
        Logger logger = (Logger) LoggerFactory.getLogger(AsyncLane.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        JobRunner runner = runner(Map.of());
        try {
            runner.dispatchTask("explode", "boom");
            runner.dispatchTask("wait", 1);
            Await.until("the task after the failing one ran", TIMEOUT, () -> ran.get() == 1);
            ILoggingEvent failure = Await.value("the failure logged", TIMEOUT, () -> logged.list.stream()
                    .filter(event -> event.getLevel() == Level.ERROR).findFirst().orElse(null), event -> event != null);
            assertThat(failure.getFormattedMessage()).contains("Task 'explode' failed");
            assertThat(failure.getThrowableProxy().getMessage()).isEqualTo("explodes on purpose: boom");
        } finally {
            runner.close();
            logger.detachAppender(logged);
        }
    }

    @Test
    void requestsLeftQueuedByAProcessThatDiedAreRunOnStart() {
        JobRequest orphan = store.insert(new NewJobRequest("wait", null, "1", null, null, 3, "inprocess-async")).request();
        JobRequest otherRunners = store.insert(new NewJobRequest("wait", null, "1", null, null, 3, "sqs")).request();

        JobRunner runner = runner(Map.of());
        try {
            JobRequest done = Await.value("the orphan ran", TIMEOUT, () -> store.find(orphan.id()).orElseThrow(),
                    request -> request.status().isFinished());
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(store.find(otherRunners.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        } finally {
            runner.close();
        }
    }

    @Test
    void aRequestAbandonedMidRunIsRunAgainOnlyWhenIdempotentWithAttemptsLeft() throws Exception {
        JobRequest retryable = store.insert(new NewJobRequest("wait-idempotent", null, "1", null, null, 3,
                "inprocess-async")).request();
        JobRequest spent = store.insert(new NewJobRequest("wait-idempotent", null, "1", null, null, 1,
                "inprocess-async")).request();
        JobRequest notIdempotent = store.insert(new NewJobRequest("wait", null, "1", null, null, 3,
                "inprocess-async")).request();
        for (JobRequest request : List.of(retryable, spent, notIdempotent)) {
            store.claim(request.id(), "dead-worker", Duration.ofMillis(50)).orElseThrow();
        }
        Thread.sleep(100);

        JobRunner runner = runner(Map.of());
        try {
            JobRequest rerun = Await.value("the abandoned request ran again", TIMEOUT,
                    () -> store.find(retryable.id()).orElseThrow(), request -> request.status().isFinished());
            assertThat(rerun.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(rerun.attempts()).isEqualTo(2);
            JobRequest failed = Await.value("the spent request failed", TIMEOUT,
                    () -> store.find(spent.id()).orElseThrow(), request -> request.status().isFinished());
            assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
            assertThat(failed.lastError()).contains("Abandoned").contains("dead-worker");
            assertThat(failed.history()).extracting(JobAttempt::outcome).containsExactly(JobAttempt.Outcome.ABANDONED);
            JobRequest refused = Await.value("the request that is not idempotent finished", TIMEOUT,
                    () -> store.find(notIdempotent.id()).orElseThrow(), request -> request.status().isFinished());
            assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
            assertThat(refused.lastError()).contains("not declared idempotent");
            assertThat(refused.history()).extracting(JobAttempt::outcome)
                    .containsExactly(JobAttempt.Outcome.ABANDONED, JobAttempt.Outcome.ABANDONED);
            assertThat(rerun.history()).extracting(JobAttempt::outcome)
                    .containsExactly(JobAttempt.Outcome.ABANDONED, JobAttempt.Outcome.SUCCEEDED);
            assertThat(rerun.history().get(0).worker()).isEqualTo("dead-worker");
        } finally {
            runner.close();
        }
    }

    @Test
    void aTimedOutAttemptKeepsItsLeaseUntilTheHandlerStopsSoItsRetryNeverOverlapsIt() {
        JobRunner runner = runner(Map.of());
        try {
            JobRequest failed = runner.awaitCompletion(runner.dispatchJob(JobData.of("slow-to-stop", 300)).id(),
                    TIMEOUT).orElseThrow();

            assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
            assertThat(failed.history()).extracting(JobAttempt::outcome)
                    .containsExactly(JobAttempt.Outcome.TIMED_OUT, JobAttempt.Outcome.TIMED_OUT);
            assertThat(runs).hasSize(2);
            long[] first = runs.poll();
            long[] second = runs.poll();
            assertThat(second[0]).as("the retry started after the first handler stopped").isGreaterThan(first[1]);
            assertThat(Duration.ofNanos(first[1] - first[0])).isGreaterThanOrEqualTo(Duration.ofMillis(490));
        } finally {
            runner.close();
        }
    }
}
