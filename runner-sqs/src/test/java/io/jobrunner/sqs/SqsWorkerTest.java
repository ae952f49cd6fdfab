package io.jobrunner.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.JobWorker;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.WorkerWatch;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** The SQS worker against ElasticMQ: volume, failures, poison messages, long jobs, shutdown. */
class SqsWorkerTest extends SqsFixtures {

    private final Map<Long, AtomicInteger> runsById = new ConcurrentHashMap<>();

    private HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .job(JobHandler.of("record", Integer.class, (n, context) -> {
                    runsById.computeIfAbsent(context.request().id(), id -> new AtomicInteger()).incrementAndGet();
                    return n;
                }))
                .job(JobHandler.of("sleep", Integer.class, (millis, context) -> {
                    runsById.computeIfAbsent(context.request().id(), id -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(millis);
                    return "slept " + millis;
                }))
                .job(JobHandler.of("sleep-first-time", Integer.class, (millis, context) -> {
                    if (runsById.computeIfAbsent(context.request().id(), id -> new AtomicInteger()).incrementAndGet() == 1) {
                        Thread.sleep(millis);
                    }
                    return "ran " + runsById.get(context.request().id()).get() + " times";
                }))
                .job(JobHandler.of("poison", String.class, JobPolicy.builder().idempotent().build(), (text, context) -> {
                    throw new IllegalArgumentException("poisoned: " + text);
                }))
                .task(TaskHandler.of("note", String.class, text -> { }))
                .build();
    }

    @Test
    void aThousandJobsThroughTwoWorkersAllSucceedAndEachRunsExactlyOnce() {
        LocalSqs.Queue queue = sqs.createQueue("volume", 30, 5);
        Map<String, String> settings = settings(queue);
        JobRunner producer = producer(settings);
        worker(settings, handlers());
        worker(settings, handlers());

        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            jobs.add(JobData.of("record", i));
        }
        List<JobRequest> dispatched = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i += 100) {
            dispatched.addAll(producer.dispatchJobs(jobs.subList(i, i + 100)));
        }

        Await.until("all 1,000 jobs succeeded", TIMEOUT, () ->
                store.list(JobQuery.all().withStatus(JobStatus.SUCCEEDED).limit(JobQuery.MAX_LIMIT)).size() == 1_000);
        assertThat(dispatched).hasSize(1_000);
        assertThat(runsById).hasSize(1_000);
        assertThat(runsById.values()).allSatisfy(runs -> assertThat(runs.get()).isEqualTo(1));
        assertThat(store.list(JobQuery.all().limit(JobQuery.MAX_LIMIT)))
                .allSatisfy(request -> assertThat(request.attempts()).isEqualTo(1));
        Await.until("every message was deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
    }

    /** A job parked because its type's place was taken is sent again when the place frees, not at the next sweep. */
    @Test
    void aJobHeldByAConcurrencyLimitIsSentAgainAsSoonAsThePlaceFreesNotAtTheNextSweep() {
        LocalSqs.Queue queue = sqs.createQueue("limited", 30, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_HANDOFF_INTERVAL", "10m");
        JobRunner producer = producer(settings);
        worker(settings, HandlerRegistry.builder().job(JobHandler.of("one-at-a-time", Integer.class,
                JobPolicy.builder().maxRunning(1).build(), (millis, context) -> {
                    Thread.sleep(millis);
                    return millis;
                })).build());
        List<JobRequest> dispatched = producer.dispatchJobs(List.of(JobData.of("one-at-a-time", 500),
                JobData.of("one-at-a-time", 500), JobData.of("one-at-a-time", 500)));

        Await.until("all three jobs succeeded well before a sweep", Duration.ofSeconds(20), () -> dispatched.stream()
                .allMatch(request -> store.find(request.id()).orElseThrow().status() == JobStatus.SUCCEEDED));
        List<JobRequest> done = dispatched.stream().map(request -> store.find(request.id()).orElseThrow())
                .sorted(java.util.Comparator.comparing(JobRequest::startedAt)).toList();
        for (int i = 1; i < done.size(); i++) {
            assertThat(done.get(i).startedAt()).as("one at a time").isAfterOrEqualTo(done.get(i - 1).finishedAt());
        }
    }

    @Test
    void inDrainModeAWorkerRunsWhatTheQueueHoldsThenClosesLeavingWhatIsDueLater() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("drain", 30, 5);
        Map<String, String> settings = settings(queue);
        JobRunner producer = producer(settings);
        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            jobs.add(JobData.of("record", i));
        }
        List<JobRequest> due = producer.dispatchJobs(jobs);
        JobRequest later = producer.dispatchJob(JobData.builder("record").payload(99).runAt(Instant.now().plusSeconds(600))
                .build());
        Await.until("every due job's message is in the queue", TIMEOUT, () -> sqs.approximateMessages(queue.url()) >= 50);
        SqsWorker worker = SqsWorker.create(settings, handlers(), store);
        opened.add(worker);

        long received = worker.drain();

        assertThat(received).isEqualTo(50);
        assertThat(worker.isRunning()).as("closed once drained").isFalse();
        assertThat(due).allSatisfy(request -> assertThat(store.find(request.id()).orElseThrow().status())
                .isEqualTo(JobStatus.SUCCEEDED));
        assertThat(runsById.values()).allSatisfy(runs -> assertThat(runs.get()).isEqualTo(1));
        assertThat(store.find(later.id()).orElseThrow().status()).as("due later: left for the next run")
                .isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void aDispatchNoLiveWorkerTakesIsWarnedAboutAndAWorkerRegistersWithItsQueueUntilItStops() {
        LocalSqs.Queue queue = sqs.createQueue("registry", 30, 5);
        Map<String, String> settings = settings(queue);
        JobRunner producer = producer(settings);
        Logger watch = (Logger) LoggerFactory.getLogger(WorkerWatch.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        watch.addAppender(log);
        JobRequest waiting;
        try {
            waiting = producer.dispatchJob(JobData.of("record", 1));
        } finally {
            watch.detachAppender(log);
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("No live worker takes job type 'record' of the sqs runner", "'jobrunner worker'");

        SqsWorker worker = worker(settings, handlers());
        Await.value("the waiting job ran", TIMEOUT, () -> store.find(waiting.id()).orElseThrow(),
                request -> request.status() == JobStatus.SUCCEEDED);
        JobWorker listed = Await.value("the worker registered", TIMEOUT, () -> store.workers(), w -> !w.isEmpty()).get(0);
        assertThat(listed.runner()).isEqualTo("sqs");
        assertThat(listed.target()).isEqualTo(queue.url());
        assertThat(listed.jobTypes()).contains("record", "poison");
        assertThat(listed.live()).isTrue();
        assertThat(listed.takes("record", null, "sqs", queue.url())).isTrue();
        assertThat(listed.takes("record", null, "sqs", "https://another/queue")).isFalse();

        worker.close();
        assertThat(store.workers()).isEmpty();
    }

    @Test
    void aReceivedBatchOfJobsIsClaimedInOneStatementAndAJobNamedTwiceInItRunsOnce() {
        LocalSqs.Queue queue = sqs.createQueue("batch", 30, 5);
        // The duplicate waits out the lease before it is looked at again: keep it short.
        Map<String, String> settings = settings(queue, "JOB_RUNNER_LEASE_TIME", "3s");
        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(JobData.of("record", i));
        }
        // All sent before a worker starts, so its receives come back full.
        List<JobRequest> dispatched = producer(settings).dispatchJobs(jobs);
        long twice = dispatched.get(0).id();
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"type\":\"JOB\",\"jobId\":" + twice + "}"));
        worker(settings, handlers());

        List<JobRequest> done = new ArrayList<>();
        for (JobRequest job : dispatched) {
            done.add(Await.value("job " + job.id() + " succeeded", TIMEOUT, () -> store.find(job.id()).orElseThrow(),
                    request -> request.status() == JobStatus.SUCCEEDED));
        }
        Map<Instant, Long> rowsPerClaim = done.stream()
                .collect(Collectors.groupingBy(JobRequest::startedAt, Collectors.counting()));
        assertThat(rowsPerClaim.size()).as("claim statements for 40 jobs received up to eight at a time").isLessThan(20);
        assertThat(runsById.values()).allSatisfy(runs -> assertThat(runs.get()).isEqualTo(1));
        assertThat(store.find(twice).orElseThrow().attempts()).isEqualTo(1);
        Await.until("every message, the duplicate too, was deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
    }

    @Test
    void anIdleWorkerSaysAtOnceThatItWaitsForTheReceiveInFlightAndForHowLong() {
        LocalSqs.Queue queue = sqs.createQueue("idle-stop", 30, 5);
        SqsWorker worker = worker(settings(queue, "JOB_RUNNER_SQS_WAIT_TIME", "3s", "JOB_RUNNER_SQS_POLLERS", "1"),
                handlers());
        Await.until("the poller is receiving", TIMEOUT, () -> worker.receivesInFlight() == 1);
        Logger logger = (Logger) LoggerFactory.getLogger(SqsWorker.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            worker.close();
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(line -> assertThat(line)
                .startsWith("Stopping the SQS worker on " + queue.url())
                .contains("waiting up to 3 s for the 1 receive in flight (JOB_RUNNER_SQS_WAIT_TIME)"));
    }

    @Test
    void aPoisonJobIsFailedWithItsErrorAndItsMessageReachesTheDeadLetterQueue() {
        LocalSqs.Queue queue = sqs.createQueue("poison", 30, 3);
        Map<String, String> settings = settings(queue);
        SqsWorker worker = worker(settings, handlers());

        JobRequest job = producer(settings).dispatchJob(JobData.builder("poison").payload("arsenic").maxAttempts(3).build());

        JobRequest failed = awaitFinished(job.id());
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.lastError()).contains("IllegalArgumentException: poisoned: arsenic");
        List<Message> deadLetters = Await.value("the message reached the dead-letter queue", TIMEOUT,
                () -> receiveAll(queue.deadLetterUrl()), messages -> !messages.isEmpty());
        assertThat(deadLetters).extracting(Message::body).containsExactly("{\"type\":\"JOB\",\"jobId\":" + job.id() + "}");
        // Once moved, it cannot be received from the main queue. ElasticMQ's approximate counters are not
        // used here: after a move to the dead-letter queue they have been seen to keep counting the message.
        worker.close();
        List<Message> left = new ArrayList<>(receiveAll(queue.url()));
        left.addAll(receiveAll(queue.url()));
        assertThat(left).extracting(Message::body).doesNotContain("{\"type\":\"JOB\",\"jobId\":" + job.id() + "}");
    }

    @Test
    void malformedMessagesAndUnknownNamesNeverStopTheWorkerAndReachTheDeadLetterQueue() {
        LocalSqs.Queue queue = sqs.createQueue("malformed", 1, 2);
        Map<String, String> settings = settings(queue);
        worker(settings, handlers());
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody("not json at all"));
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"type\":\"EMAIL\",\"to\":\"x\"}"));
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"type\":\"TASK\",\"taskName\":\"nobody\",\"payload\":1}"));
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"type\":\"JOB\",\"jobId\":987654}"));

        List<Message> deadLetters = new ArrayList<>();
        Await.until("all four bad messages reached the dead-letter queue", TIMEOUT, () -> {
            deadLetters.addAll(receiveAll(queue.deadLetterUrl()));
            return deadLetters.size() >= 4;
        });
        assertThat(deadLetters).extracting(Message::body).containsExactlyInAnyOrder("not json at all",
                "{\"type\":\"EMAIL\",\"to\":\"x\"}", "{\"type\":\"TASK\",\"taskName\":\"nobody\",\"payload\":1}",
                "{\"type\":\"JOB\",\"jobId\":987654}");

        JobRequest good = producer(settings).dispatchJob(JobData.of("record", 7));
        assertThat(awaitFinished(good.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aJobRunningLongerThanTheVisibilityTimeoutIsNotRunTwice() {
        LocalSqs.Queue queue = sqs.createQueue("long", 2, 5);
        Map<String, String> settings = settings(queue);
        worker(settings, handlers());
        worker(settings, handlers());

        JobRequest job = producer(settings).dispatchJob(JobData.of("sleep", 7_000));

        JobRequest done = awaitFinished(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(runsById.get(job.id()).get()).isEqualTo(1);
        Await.until("the message was deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
    }

    @Test
    void closeLetsInFlightJobsFinishAndDeletesTheirMessages() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("drain", 30, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_SHUTDOWN_TIMEOUT", "20s");
        SqsWorker worker = worker(settings, handlers());
        JobRunner producer = producer(settings);
        List<JobRequest> jobs = producer.dispatchJobs(List.of(JobData.of("sleep", 1_500), JobData.of("sleep", 1_500),
                JobData.of("sleep", 1_500), JobData.of("sleep", 1_500)));
        Await.until("all four are running", TIMEOUT, () -> worker.inFlight() == 4);

        worker.close();

        for (JobRequest job : jobs) {
            assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        }
        Await.until("their messages were deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
    }

    @Test
    void closeReleasesWhatOutlivesTheShutdownTimeoutSoAnotherWorkerTakesItAtOnce() {
        LocalSqs.Queue queue = sqs.createQueue("release", 600, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_SHUTDOWN_TIMEOUT", "500ms");
        SqsWorker first = worker(settings, handlers());
        JobRequest job = producer(settings).dispatchJob(JobData.of("sleep-first-time", 60_000));
        Await.until("the job is running", TIMEOUT, () -> store.find(job.id()).orElseThrow().status() == JobStatus.RUNNING);

        first.close();

        JobRequest released = store.find(job.id()).orElseThrow();
        assertThat(released.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(released.attempts()).isZero();
        long restarted = System.nanoTime();
        worker(settings, handlers());
        JobRequest done = awaitFinished(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.resultJson()).isEqualTo("\"ran 2 times\"");
        // The queue's visibility timeout is 10 minutes: finishing quickly means the message was released.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restarted)).isLessThan(30);
    }

    @Test
    void beforeItKnowsThePaceOfItsJobsAWorkerTakesNoMoreMessagesThanThereAreFreeSlots() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("slots", 30, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_CONCURRENCY", "2", "JOB_RUNNER_SQS_POLLERS", "3");
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        SqsWorker worker = worker(settings, HandlerRegistry.builder().job(waitJob(started, gate)).build());
        assertSixWaitingJobsTakeOnlyTheTwoFreeSlots(worker, producer(settings), queue, started, gate);
        Await.until("all six ran", TIMEOUT, () -> store.list(JobQuery.all().withStatus(JobStatus.SUCCEEDED)).size() == 6);
    }

    @Test
    void quickJobsAreReceivedTenAtATimeOnceTheWorkerKnowsTheirPace() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("prefetch", 30, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_CONCURRENCY", "2", "JOB_RUNNER_SQS_POLLERS", "1");
        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            jobs.add(JobData.of("record", i));
        }
        producer(settings).dispatchJobs(jobs);
        ReceiveCounter receives = new ReceiveCounter();
        SqsClient client = sqs.client(receives, 16);
        opened.add(client);  // closed after the worker
        opened.add(SqsWorker.create(JobRunners.builder().environment(settings).handlers(handlers()).store(store)
                .client(SqsClient.class, client).config()).start());
        Await.until("all 500 ran", TIMEOUT, () -> store.counts().of(JobStatus.SUCCEEDED) == 500);

        // Two threads asking only for their free slots would need at least 250 receives.
        assertThat(receives.withMessages.get()).isLessThan(125);
        assertThat(runsById).hasSize(500).allSatisfy((id, runs) -> assertThat(runs.get()).isEqualTo(1));
    }

    @Test
    void withPrefetchOffAWorkerTakesNoMoreThanItsFreeSlotsEvenAfterQuickJobs() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("no-prefetch", 30, 5);
        // each message sent before dispatchJob returns, so the six are all in the queue when the check begins
        Map<String, String> settings = settings(queue, "JOB_RUNNER_CONCURRENCY", "2", "JOB_RUNNER_SQS_PREFETCH", "0",
                "JOB_RUNNER_HANDOFF_SYNC", "true");
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("quick", Integer.class, (n, context) -> n))
                .job(waitJob(started, gate)).build();
        SqsWorker worker = worker(settings, handlers);
        JobRunner producer = producer(settings);
        List<JobData> quick = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            quick.add(JobData.of("quick", i));
        }
        producer.dispatchJobs(quick);
        Await.until("the quick jobs ran", TIMEOUT, () -> store.counts().of(JobStatus.SUCCEEDED) == 50);
        assertSixWaitingJobsTakeOnlyTheTwoFreeSlots(worker, producer, queue, started, gate);
        Await.until("all six ran", TIMEOUT, () -> store.counts().of(JobStatus.SUCCEEDED) == 56);
    }

    /** A job that counts its start and waits for the gate. */
    private static JobHandler<String> waitJob(AtomicInteger started, CountDownLatch gate) {
        return JobHandler.of("wait", String.class, (text, context) -> {
            started.incrementAndGet();
            gate.await();
            return null;
        });
    }

    /**
     * Dispatches six {@link #waitJob}s to a worker with two threads, checks that it holds only the
     * two it runs (the other four stay visible in the queue), then opens the gate.
     */
    private static void assertSixWaitingJobsTakeOnlyTheTwoFreeSlots(SqsWorker worker, JobRunner producer,
            LocalSqs.Queue queue, AtomicInteger started, CountDownLatch gate) {
        for (int i = 0; i < 6; i++) {
            producer.dispatchJob(JobData.of("wait", "x" + i));
        }
        Await.until("two jobs started", TIMEOUT, () -> started.get() == 2);
        Await.holdsFor("the worker holding only the two messages its threads run", Duration.ofMillis(1_500),
                () -> worker.inFlight() == 2 && notVisible(queue) == 2 && started.get() == 2);
        gate.countDown();
    }

    private static int notVisible(LocalSqs.Queue queue) {
        return Integer.parseInt(sqs.client().getQueueAttributes(b -> b.queueUrl(queue.url())
                .attributeNamesWithStrings("ApproximateNumberOfMessagesNotVisible")).attributesAsStrings()
                .get("ApproximateNumberOfMessagesNotVisible"));
    }

    /** Counts the receives that brought messages. */
    private static final class ReceiveCounter implements ExecutionInterceptor {
        final AtomicInteger withMessages = new AtomicInteger();

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.response() instanceof ReceiveMessageResponse response && response.hasMessages()
                    && !response.messages().isEmpty()) {
                withMessages.incrementAndGet();
            }
        }
    }
}
