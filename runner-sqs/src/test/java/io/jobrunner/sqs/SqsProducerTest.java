package io.jobrunner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.BulkDispatchException;
import io.jobrunner.DispatchRejectedException;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadTooLargeException;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.TaskHandler;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** The {@code sqs} producer: bulk sends, size limits, long delays, FIFO queues, and sends that fail. */
class SqsProducerTest extends SqsFixtures {

    private final Queue<String> notes = new ConcurrentLinkedQueue<>();

    private HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .task(TaskHandler.of("note", String.class, notes::add))
                .job(JobHandler.of("echo", String.class, (text, context) -> text))
                .build();
    }

    private static String unreachableEndpoint() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    void withoutAQueueUrlTheRunnerSaysWhatToSet() {
        assertThatThrownBy(() -> JobRunners.builder().environment(Map.of("JOB_RUNNER", "sqs")).store(store).build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("JOB_RUNNER_SQS_QUEUE_URL")
                .hasMessageContaining("AWS_ENDPOINT_URL_SQS");
    }

    @Test
    void theRegionComesFromTheQueueUrlWhenNotSet() {
        assertThat(SqsSettings.regionOf("https://sqs.eu-west-3.amazonaws.com/123456789012/jobs")).contains("eu-west-3");
        assertThat(SqsSettings.regionOf("http://127.0.0.1:9324/000000000000/jobs")).isEmpty();
    }

    @Test
    void manyTasksGoInBatchesAndAllRun() {
        LocalSqs.Queue queue = sqs.createQueue("bulk", 30, 5);
        Map<String, String> settings = settings(queue);
        worker(settings, handlers());
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            payloads.add("note " + i);
        }

        producer(settings).dispatchTasks("note", payloads);

        Await.until("all 25 tasks ran", TIMEOUT, () -> notes.size() == 25);
        assertThat(notes).containsExactlyInAnyOrderElementsOf(payloads);
    }

    @Test
    void aBulkSendThatFailsReportsEachEntry() throws IOException {
        LocalSqs.Queue queue = sqs.createQueue("bulk-fail", 30, 5);
        JobRunner producer = producer(settings(queue, "AWS_ENDPOINT_URL_SQS", unreachableEndpoint()));

        assertThatThrownBy(() -> producer.dispatchTasks("note", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")))
                .isInstanceOfSatisfying(BulkDispatchException.class, e -> {
                    assertThat(e.attempted()).isEqualTo(12);
                    assertThat(e.failures()).extracting(BulkDispatchException.EntryFailure::index)
                            .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
                    assertThat(e.failures()).allSatisfy(f -> assertThat(f.name()).isEqualTo("note"));
                });
    }

    @Test
    void readinessAsksTheQueueAndTheStoreAndNamesWhatIsMissing() throws IOException {
        LocalSqs.Queue queue = sqs.createQueue("ready", 30, 5);
        JobRunner ready = producer(settings(queue));
        assertThat(ready.fullyConfigured()).isTrue();
        assertThat(ready.readiness().ready()).as(ready.readiness().problems().toString()).isTrue();

        String missing = queue.url().substring(0, queue.url().lastIndexOf('/') + 1) + "no-such-queue";
        JobRunner lost = producer(settings(queue, "JOB_RUNNER_SQS_QUEUE_URL", missing));
        assertThat(lost.readiness().problems()).containsExactly("the queue " + missing
                + " does not exist (JOB_RUNNER_SQS_QUEUE_URL)");

        JobRunner cutOff = producer(settings(queue, "AWS_ENDPOINT_URL_SQS", unreachableEndpoint()));
        assertThat(cutOff.readiness().problems()).singleElement().asString().startsWith("SQS cannot be reached");

        ready.close();
        assertThat(ready.fullyConfigured()).as("closed").isFalse();
        assertThat(ready.readiness().problems()).contains("runner 'sqs' is closed");
    }

    @Test
    void aTaskThatCannotBeSentIsReportedToTheCaller() throws IOException {
        LocalSqs.Queue queue = sqs.createQueue("task-fail", 30, 5);
        JobRunner producer = producer(settings(queue, "AWS_ENDPOINT_URL_SQS", unreachableEndpoint()));
        assertThatThrownBy(() -> producer.dispatchTask("note", "lost?"))
                .isInstanceOf(DispatchRejectedException.class)
                .hasMessageContaining("'note'")
                .hasMessageContaining("SQS did not accept");
    }

    @Test
    void aJobWhoseSendFailsIsNotStuckTheWorkersSweepSendsIt() throws IOException {
        LocalSqs.Queue queue = sqs.createQueue("send-fail", 30, 5);
        Map<String, String> working = settings(queue);
        JobRunner broken = producer(settings(queue, "AWS_ENDPOINT_URL_SQS", unreachableEndpoint()));

        JobRequest job = broken.dispatchJob(JobData.of("echo", "delivered anyway"));

        JobRequest stored = Await.value("the failed send cleared the hand-off mark", TIMEOUT,
                () -> store.find(job.id()).orElseThrow(), request -> request.handedOffAt() == null);
        assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
        worker(working, handlers());
        JobRequest done = awaitFinished(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.resultJson()).isEqualTo("\"delivered anyway\"");
    }

    @Test
    void jobsDispatchedOneByOneAreSentInTheBackgroundSeveralToABatchAndCloseSendsWhatIsLeft() {
        LocalSqs.Queue queue = sqs.createQueue("background", 30, 5);
        SendCounter sends = new SendCounter();
        SqsClient counted = sqs.client(sends, 8);
        opened.add(counted);
        JobRunner producer = JobRunners.builder().environment(settings(queue)).handlers(HandlerRegistry.empty())
                .store(store).client(SqsClient.class, counted).build();
        List<JobRequest> dispatched = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            dispatched.add(producer.dispatchJob(JobData.of("echo", "n" + i)));
        }
        producer.close();  // sends what is still waiting before it returns

        assertThat(sqs.approximateMessages(queue.url())).as("every job's message, none twice").isEqualTo(40);
        assertThat(sends.messages.get()).isEqualTo(40);
        assertThat(sends.calls.get()).as("batches of several, gathered while dispatches arrive").isLessThan(40);
        assertThat(dispatched).allSatisfy(job -> assertThat(store.find(job.id()).orElseThrow().handedOffAt()).isNotNull());
    }

    @Test
    void withHandOffSyncAJobsMessageIsInTheQueueWhenDispatchJobReturns() {
        LocalSqs.Queue queue = sqs.createQueue("sync", 30, 5);
        JobRunner producer = producer(settings(queue, "JOB_RUNNER_HANDOFF_SYNC", "true"));
        producer.dispatchJob(JobData.of("echo", "at once"));
        assertThat(sqs.approximateMessages(queue.url())).isEqualTo(1);
    }

    /** Counts the messages sent and the calls that sent them. */
    private static final class SendCounter implements ExecutionInterceptor {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger messages = new AtomicInteger();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof SendMessageBatchRequest batch) {
                calls.incrementAndGet();
                messages.addAndGet(batch.entries().size());
            } else if (context.request() instanceof SendMessageRequest) {
                calls.incrementAndGet();
                messages.incrementAndGet();
            }
        }
    }

    @Test
    void aTaskOverTheSqsMessageLimitIsRefusedBeforeSending() {
        LocalSqs.Queue queue = sqs.createQueue("big", 30, 5);
        JobRunner producer = producer(settings(queue, "JOB_RUNNER_SQS_MAX_MESSAGE_BYTES", "1000"));
        assertThatThrownBy(() -> producer.dispatchTask("note", "x".repeat(1_200)))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("SQS message limit")
                .hasMessageContaining("as a job");
        assertThat(sqs.approximateMessages(queue.url())).isZero();
    }

    @Test
    void aJobDueBeyondTheSqsDelayLimitIsSentByTheSweepWhenItComesDue() {
        LocalSqs.Queue queue = sqs.createQueue("far", 30, 5);
        Map<String, String> settings = settings(queue);
        worker(settings, handlers());
        JobRequest job = producer(settings).dispatchJob(JobData.builder("echo").payload("later")
                .runAt(Instant.now().plus(Duration.ofMinutes(20))).build());
        assertThat(store.find(job.id()).orElseThrow().handedOffAt()).isNull();
        assertThat(sqs.approximateMessages(queue.url())).isZero();

        Instant runAt = Instant.now().plusSeconds(3);
        postgres.execute("UPDATE job_request SET run_at = to_timestamp(" + runAt.toEpochMilli() / 1000.0 + ") WHERE id = " + job.id());

        JobRequest done = awaitFinished(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.startedAt()).isAfterOrEqualTo(runAt.minusMillis(5));
    }

    @Test
    void onAFifoQueueJobsAndTasksRunAndDelayedJobsWaitForTheSweep() {
        String url = sqs.client().createQueue(b -> b.queueName("jobs-" + System.nanoTime() + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true", QueueAttributeName.VISIBILITY_TIMEOUT, "30")))
                .queueUrl();
        Map<String, String> settings = settings(new LocalSqs.Queue(url, null));
        worker(settings, handlers());
        JobRunner producer = producer(settings);

        List<JobRequest> jobs = producer.dispatchJobs(List.of(
                JobData.builder("echo").payload("a").queue("tenant-1").build(),
                JobData.builder("echo").payload("b").queue("tenant-2").dedupKey("report:2026-11-23").build(),
                JobData.of("echo", "c")));
        producer.dispatchTask("note", "fifo task");
        Instant runAt = Instant.now().plusSeconds(2);
        JobRequest delayed = producer.dispatchJob(JobData.builder("echo").payload("delayed").runAt(runAt).build());

        for (JobRequest job : jobs) {
            assertThat(awaitFinished(job.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        }
        Await.until("the task ran", TIMEOUT, () -> notes.contains("fifo task"));
        JobRequest late = awaitFinished(delayed.id());
        assertThat(late.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(late.startedAt()).isAfterOrEqualTo(runAt.minusMillis(5));
    }
}
