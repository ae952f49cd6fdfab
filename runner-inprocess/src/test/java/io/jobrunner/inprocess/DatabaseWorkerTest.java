package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.InvalidSettingException;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobListener;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.JobWorker;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.WorkerWatch;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The database worker on PostgreSQL: woken by NOTIFY, specialised by type and queue, refusing bad set-ups. */
class DatabaseWorkerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static PostgresFixture postgres;
    private JobRequestStore store;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(DatabaseWorkerTest.class);
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
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        store.close();
    }

    private static HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .job(JobHandler.of("a", String.class, (text, context) -> "a:" + text))
                .job(JobHandler.of("b", String.class, (text, context) -> "b:" + text))
                .build();
    }

    private static Map<String, String> settings(String... extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER", "database");
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        return settings;
    }

    private JobRunner producer() {
        JobRunner runner = JobRunners.builder().environment(settings()).handlers(HandlerRegistry.empty()).store(store).build();
        opened.add(runner);
        return runner;
    }

    private DatabaseWorker worker(Map<String, String> settings) {
        DatabaseWorker worker = DatabaseWorker.create(JobRunners.builder().environment(settings).handlers(handlers())
                .store(store).config()).start();
        opened.add(worker);
        return worker;
    }

    private JobRequest awaitFinished(long id) {
        return Await.value("job request " + id + " finished", TIMEOUT, () -> store.find(id).orElseThrow(),
                request -> request.status().isFinished());
    }

    @Test
    void aWorkerIsListedWhileItRunsAndADispatchNoLiveWorkerTakesIsWarnedAboutOnce() {
        Logger watch = (Logger) LoggerFactory.getLogger(WorkerWatch.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        watch.addAppender(log);
        JobRunner producer = producer();
        JobRequest first;
        try {
            first = producer.dispatchJob(JobData.of("a", "first"));
            producer.dispatchJob(JobData.of("a", "second"));
        } finally {
            watch.detachAppender(log);
        }
        assertThat(log.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("No live worker takes job type 'a' of the database runner",
                    "job request " + first.id() + " waits", "'jobrunner worker'", "'jobrunner workers'");
        });

        DatabaseWorker worker = worker(settings("JOB_RUNNER_WORKER_TYPES", "a", "JOB_RUNNER_CONCURRENCY", "3"));
        awaitFinished(first.id());
        JobWorker listed = Await.value("the worker registered", TIMEOUT, () -> producer.jobs().workers(),
                workers -> !workers.isEmpty()).get(0);
        assertThat(listed.id()).isEqualTo(worker.id());
        assertThat(listed.runner()).isEqualTo("database");
        assertThat(listed.jobTypes()).containsExactly("a");
        assertThat(listed.queues()).isEmpty();
        assertThat(listed.slots()).isEqualTo(3);
        assertThat(listed.live()).isTrue();
        assertThat(listed.startedAt()).isNotNull().isBeforeOrEqualTo(listed.lastSeenAt());
        assertThat(listed.takes("a", null, "database", null)).isTrue();
        assertThat(listed.takes("b", null, "database", null)).isFalse();

        worker.close();
        assertThat(producer.jobs().workers()).as("a worker that stops removes its row").isEmpty();
    }

    @Test
    void aDispatchWakesAnIdleWorkerAtOnceAndAWorkerStartedWhileJobsWaitStartsOnThemAtOnce() {
        // With a one-minute poll, only the database's notification or the start-up claim can start these within seconds.
        JobRunner producer = producer();
        JobRequest waiting = producer.dispatchJob(JobData.of("a", "waiting"));
        DatabaseWorker worker = worker(settings("JOB_RUNNER_POLL_INTERVAL", "60s"));
        assertThat(Await.value("the waiting job ran", Duration.ofSeconds(5), () -> store.find(waiting.id()).orElseThrow(),
                request -> request.status() == JobStatus.SUCCEEDED).resultJson()).isEqualTo("\"a:waiting\"");

        Await.until("the worker is idle", Duration.ofSeconds(5), () -> worker.claimed() == 1);
        long idleSince = System.nanoTime();
        JobRequest woken = producer.dispatchJob(JobData.of("a", "woken"));
        JobRequest done = Await.value("the new job ran", Duration.ofSeconds(5), () -> store.find(woken.id()).orElseThrow(),
                request -> request.status() == JobStatus.SUCCEEDED);
        assertThat(done.history()).singleElement().satisfies(attempt -> assertThat(attempt.worker()).isEqualTo(worker.id()));
        assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anIdleWorkerClaimsTheDispatchedRequestByIdAndLooksForAnyDueRequestWhenANotificationNamesNone() throws Exception {
        JobRunner producer = producer();
        DatabaseWorker worker = worker(settings("JOB_RUNNER_POLL_INTERVAL", "60s"));
        Thread.sleep(300);  // past the worker's start-up claim, which looks for any due request
        // Stored for the workers' runner without a notification, as no dispatch does: only a claim that looks for any takes it.
        JobRequest silent = store.insert(new NewJobRequest("a", null, "\"silent\"", null, null, 3, DatabaseRunnerProvider.NAME))
                .request();

        JobRequest announced = producer.dispatchJob(JobData.of("a", "announced"));

        assertThat(awaitFinished(announced.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        Await.holdsFor("the request no notification named stays queued", Duration.ofMillis(500),
                () -> store.find(silent.id()).orElseThrow().status() == JobStatus.QUEUED);
        assertThat(worker.claimed()).as("claimed by id: only the announced request").isEqualTo(1);

        List<JobRequest> bulk = producer.dispatchJobs(List.of(JobData.of("a", "bulk 1"), JobData.of("a", "bulk 2")));  // notifies without ids

        assertThat(awaitFinished(bulk.get(1).id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(awaitFinished(silent.id()).resultJson()).isEqualTo("\"a:silent\"");
    }

    @Test
    void specialisedWorkersTakeOnlyTheirTypesAndQueuesAndWhatNoWorkerTakesStaysQueued() {
        DatabaseWorker onlyA = worker(settings("JOB_RUNNER_WORKER_TYPES", "a", "JOB_RUNNER_POLL_INTERVAL", "200ms"));
        DatabaseWorker onlyQ2 = worker(settings("JOB_RUNNER_WORKER_QUEUES", "q2, q3", "JOB_RUNNER_POLL_INTERVAL", "200ms"));
        JobRunner producer = producer();

        JobRequest typeA = producer.dispatchJob(JobData.of("a", "x"));
        JobRequest bInQ2 = producer.dispatchJob(JobData.builder("b").payload("y").queue("q2").build());
        JobRequest bInQ1 = producer.dispatchJob(JobData.builder("b").payload("z").queue("q1").build());

        assertThat(awaitFinished(typeA.id()).history()).singleElement()
                .satisfies(attempt -> assertThat(attempt.worker()).isEqualTo(onlyA.id()));
        assertThat(awaitFinished(bInQ2.id()).history()).singleElement()
                .satisfies(attempt -> assertThat(attempt.worker()).isEqualTo(onlyQ2.id()));
        Await.holdsFor("the job in q1 of type b stays queued", Duration.ofSeconds(1),
                () -> store.find(bInQ1.id()).orElseThrow().status() == JobStatus.QUEUED);
        assertThat(producer.jobs().counts().of("b", JobStatus.QUEUED)).isEqualTo(1);
        assertThat(onlyA.filter().jobTypes()).containsExactly("a");
        assertThat(onlyQ2.filter().queueNames()).containsExactlyInAnyOrder("q2", "q3");
    }

    @Test
    void aWorkerTypeWithoutAHandlerIsRefusedNamingTheVariableAndTheTypesItHas() {
        assertThatThrownBy(() -> worker(settings("JOB_RUNNER_WORKER_TYPES", "a,report")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_WORKER_TYPES='a,report'")
                .hasMessageContaining("'report' has none")
                .hasMessageContaining("[a, b]");
    }

    @Test
    void aStoreNoOtherProcessCanReadIsRefusedForTheRunnerAndTheWorkerNamingDatabaseUrl() {
        Map<String, String> memory = settings("JOB_RUNNER_STORE", "memory");
        assertThatThrownBy(() -> JobRunners.builder().environment(memory).handlers(handlers()).build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("DATABASE_URL");
        assertThatThrownBy(() -> DatabaseWorker.create(JobRunners.builder().environment(memory).handlers(handlers()).config()))
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("the database worker")
                .hasMessageContaining("DATABASE_URL");
    }

    @Test
    void tasksRunInTheDispatchingProcessAndJobsOnlyOnTheWorkers() throws Exception {
        List<String> ran = new ArrayList<>();
        HandlerRegistry producerHandlers = HandlerRegistry.builder()
                .task(io.jobrunner.TaskHandler.of("note", String.class, text -> {
                    synchronized (ran) {
                        ran.add(Thread.currentThread().getName() + ":" + text);
                    }
                }))
                .job(JobHandler.of("a", String.class, (text, context) -> "ran in the producer"))
                .build();
        try (JobRunner producer = JobRunners.builder().environment(settings("TASKS_SYNC", "true")).handlers(producerHandlers)
                .store(store).build()) {
            producer.dispatchTask("note", "hello");
            assertThat(ran).containsExactly(Thread.currentThread().getName() + ":hello");
            JobRequest job = producer.dispatchJob(JobData.of("a", "for the worker"));
            Await.holdsFor("no worker runs, so the job waits", Duration.ofMillis(800),
                    () -> store.find(job.id()).orElseThrow().status() == JobStatus.QUEUED);
            worker(settings());
            assertThat(awaitFinished(job.id()).resultJson()).isEqualTo("\"a:for the worker\"");
        }
    }

    @Test
    void quickJobsAreClaimedInLargeBatchesAndSlowOnesAreNotHoarded() {
        JobRunner producer = producer();
        AtomicInteger slowRunning = new AtomicInteger();
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("quick", Integer.class, (n, context) -> n))
                .job(JobHandler.of("slow", Integer.class, (n, context) -> {
                    slowRunning.incrementAndGet();
                    Thread.sleep(40);
                    return n;
                }))
                .build();
        DatabaseWorker worker = DatabaseWorker.create(JobRunners.builder()
                .environment(settings("JOB_RUNNER_CONCURRENCY", "2", "JOB_RUNNER_CLAIM_BATCH", "300"))
                .handlers(handlers).store(store).config()).start();
        opened.add(worker);

        List<JobData> quick = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            quick.add(JobData.of("quick", i));
        }
        List<JobRequest> quickJobs = producer.dispatchJobs(quick);
        Map<Instant, Long> quickClaims = claimStatements(quickJobs);
        // Two threads, each job taking microseconds: a claim brings far more than the two threads hold.
        assertThat(quickClaims.size()).as("claim statements for 3000 quick jobs").isLessThan(60);
        assertThat(quickClaims.values()).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2 + 300));

        // The first slow jobs tell the worker the pace has changed (each slower run moves the average half
        // way to it at once); the claims after them take about what two threads get through in 100 ms of
        // 40 ms jobs, not 300.
        for (int i = 1; i <= 3; i++) {
            claimStatements(List.of(producer.dispatchJob(JobData.of("slow", -i))));
        }
        List<JobData> slow = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            slow.add(JobData.of("slow", i));
        }
        Map<Instant, Long> slowClaims = claimStatements(producer.dispatchJobs(slow));
        assertThat(slowClaims.values()).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2 + 5));
        assertThat(slowRunning.get()).isEqualTo(33);
    }

    /** How many of the jobs each claim statement took: a statement's rows share its start time. */
    private Map<Instant, Long> claimStatements(List<JobRequest> jobs) {
        List<JobRequest> done = new ArrayList<>();
        for (JobRequest job : jobs) {
            done.add(awaitFinished(job.id()));
        }
        assertThat(done).allSatisfy(request -> assertThat(request.status()).isEqualTo(JobStatus.SUCCEEDED));
        return done.stream().collect(Collectors.groupingBy(JobRequest::startedAt, TreeMap::new, Collectors.counting()));
    }

    @Test
    void aClaimThatWaitedHalfItsLeaseIsRenewedBeforeItRunsAndOneTakenOverMeanwhileDoesNotRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        JobPolicy twoAttempts = JobPolicy.builder().idempotent().maxAttempts(2).build();
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("counted", String.class, twoAttempts, (text, context) -> runs.incrementAndGet()))
                .build();
        JobRunnerConfig config = JobRunners.builder().environment(settings("JOB_RUNNER_LEASE_TIME", "1s"))
                .handlers(handlers).store(store).config();
        ClaimFilter filter = new ClaimFilter(Set.of("counted"), Set.of(), DatabaseRunnerProvider.NAME);
        JobRunner producer = producer();
        try (RunnerContext context = RunnerContext.open(config); JobRuns worker = new JobRuns(context, "buffering-worker")) {
            JobRequest kept = producer.dispatchJob(JobData.of("counted", "kept"));
            JobRequest buffered = worker.claimNext(filter, 1).get(0);
            Thread.sleep(600);  // more than half of the 1 s lease gone, nobody else took it: renewed, then run
            JobRuns.Run ran = worker.start(buffered).get(10, TimeUnit.SECONDS);
            assertThat(ran.result()).isEqualTo(JobListener.Outcome.SUCCEEDED);
            assertThat(ran.request().history()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.worker()).isEqualTo("buffering-worker"));
            assertThat(runs.get()).isEqualTo(1);
            assertThat(ran.request().id()).isEqualTo(kept.id());

            JobRequest lost = producer.dispatchJob(JobData.of("counted", "lost"));
            JobRequest stale = worker.claimNext(filter, 1).get(0);
            Await.until("the lease expired", TIMEOUT, () -> store.find(lost.id()).orElseThrow().lockedUntil()
                    .isBefore(Instant.now().minusMillis(50)));
            assertThat(store.claimNext(filter, "other-worker", Duration.ofMinutes(1), 1)).singleElement()
                    .satisfies(takenOver -> assertThat(takenOver.id()).isEqualTo(lost.id()));
            JobRuns.Run refused = worker.start(stale).get(10, TimeUnit.SECONDS);
            assertThat(refused.ran()).isFalse();
            assertThat(refused.request().lockedBy()).isEqualTo("other-worker");
            assertThat(runs.get()).as("the taken-over request did not run on the worker whose claim went stale").isEqualTo(1);
        }
    }
}
