package io.jobrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.Schedule;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.ContractEffects;
import io.jobrunner.testkit.ContractHandlers;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.testkit.PostgresFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** The deployed handler jar, under the real Runtime Interface Client, driven through the AWS SDK. */
class LambdaHandlerIT {

    /** The queue whose records the batches below carry ({@code arn:aws:sqs:us-east-1:000000000000:jobs}). */
    private static final String QUEUE_URL = "http://127.0.0.1:9324/000000000000/jobs";

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PostgresFixture postgres;
    private static LambdaEmulator lambda;
    private static LambdaClient client;

    private JdbiJobRequestStore store;
    private ContractEffects.Postgres effects;
    private final List<JobRunner> runners = new ArrayList<>();

    @BeforeAll
    static void deploy() {
        postgres = PostgresFixture.forTestClass(LambdaHandlerIT.class);
        JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()).close();
        lambda = LambdaFunction.deploy(postgres, 2, Map.of());
        client = LambdaClient.builder().endpointOverride(URI.create(lambda.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    @AfterAll
    static void undeploy() {
        client.close();
        lambda.close();
        postgres.close();
    }

    @BeforeEach
    void openStore() {
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        effects = (ContractEffects.Postgres) ContractEffects.postgres(postgres.jdbcUrl());
        effects.clear();
    }

    @AfterEach
    void closeAll() {
        runners.forEach(JobRunner::close);
        store.close();
    }

    private JobRunner producer(String endpoint) {
        JobRunner runner = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "lambda", "JOB_RUNNER_LAMBDA_FUNCTION", LambdaFunction.NAME,
                        "AWS_ENDPOINT_URL_LAMBDA", endpoint, "AWS_REGION", "us-east-1",
                        "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"))
                .handlers(ContractHandlers.registry(effects)).store(store).build();
        runners.add(runner);
        return runner;
    }

    private JobRequest awaitFinished(long id) {
        return Await.value("job request " + id + " is finished", TIMEOUT, () -> store.find(id).orElseThrow(),
                request -> request.status().isFinished());
    }

    private static InvokeResponse invoke(String payload) {
        return client.invoke(b -> b.functionName(LambdaFunction.NAME).payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void twoHundredAsyncJobsAllSucceedInPostgres() {
        JobRunner producer = producer(lambda.endpoint());
        List<JobRequest> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            jobs.add(producer.dispatchJob(JobData.of("count", "job-" + i)));
        }

        Await.until("all 200 jobs succeeded", TIMEOUT, () ->
                store.list(JobQuery.all().withStatus(JobStatus.SUCCEEDED).limit(1000)).size() == 200);
        for (JobRequest job : jobs) {
            assertThat(store.find(job.id()).orElseThrow().attempts()).isEqualTo(1);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(effects.count("job-" + i)).isEqualTo(1);
        }
        assertThat(lambda.failedEvents()).isEmpty();
    }

    @Test
    void aFailingJobIsRecordedFailedWithItsErrorOnceItsAttemptsAreSpentAndLambdaIsNotAskedToRetry() {
        JobRequest job = producer(lambda.endpoint()).dispatchJob(JobData.builder("flaky")
                .payload(new ContractHandlers.Flaky("doomed", 99)).maxAttempts(3).build());

        JobRequest failed = awaitFinished(job.id());
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.lastError()).contains("IllegalStateException: flaky failure 3 of 99");
        assertThat(effects.count("doomed")).isEqualTo(3);
        assertThat(lambda.failedEvents()).isEmpty();
    }

    @Test
    void anSqsBatchOfTenWithThreeFailingRecordsAnswersExactlyThoseThree() throws Exception {
        long good = store.insert(new NewJobRequest("count", null, "\"batch-job\"", null, null, 3, "sqs")
                .withHandOff(QUEUE_URL, true)).request().id();
        long spent = store.insert(new NewJobRequest("flaky", null, "{\"key\":\"batch-flaky\",\"failures\":5}", null, null,
                1, "sqs").withHandOff(QUEUE_URL, true)).request().id();
        ArrayNode records = JSON.createArrayNode();
        Set<String> failing = Set.of("m-3", "m-6", "m-9");
        for (int i = 1; i <= 10; i++) {
            String body = switch (i) {
                case 3 -> "{\"type\":\"TASK\",\"taskName\":\"no-such-task\",\"payload\":1}";
                case 6 -> "this is not an envelope";
                case 9 -> "{\"type\":\"JOB\",\"jobId\":" + spent + "}";
                case 10 -> "{\"type\":\"JOB\",\"jobId\":" + good + "}";
                default -> "{\"type\":\"TASK\",\"taskName\":\"greet\",\"payload\":{\"name\":\"r" + i + "\",\"n\":" + i + "}}";
            };
            addRecord(records, "m-" + i, body);
        }

        InvokeResponse response = invoke(batch(records));

        assertThat(response.functionError()).isNull();
        JsonNode answer = JSON.readTree(response.payload().asUtf8String());
        List<String> failed = new ArrayList<>();
        answer.path("batchItemFailures").forEach(item -> failed.add(item.path("itemIdentifier").asText()));
        assertThat(failed).containsExactlyInAnyOrderElementsOf(failing);
        assertThat(effects.recorded("greet")).hasSize(6);
        assertThat(store.find(good).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.find(spent).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void anSqsRecordRunsOnlyAJobHandedToItsQueueAndLeavesATypeThisFunctionLacksQueued() throws Exception {
        long foreign = store.insert(new NewJobRequest("count", null, "\"other-queue\"", null, null, 3, "sqs")
                .withHandOff("http://127.0.0.1:9324/000000000000/billing", true)).request().id();
        long unhandled = store.insert(new NewJobRequest("no-such-job", null, "{}", null, null, 3, "sqs")
                .withHandOff(QUEUE_URL, true)).request().id();
        long own = store.insert(new NewJobRequest("count", null, "\"own-queue\"", null, null, 3, "sqs")
                .withHandOff(QUEUE_URL, true)).request().id();
        ArrayNode records = JSON.createArrayNode();
        addRecord(records, "foreign", "{\"type\":\"JOB\",\"jobId\":" + foreign + "}");
        addRecord(records, "unhandled", "{\"type\":\"JOB\",\"jobId\":" + unhandled + "}");
        addRecord(records, "own", "{\"type\":\"JOB\",\"jobId\":" + own + "}");

        InvokeResponse response = invoke(batch(records));

        JsonNode answer = JSON.readTree(response.payload().asUtf8String());
        List<String> kept = new ArrayList<>();
        answer.path("batchItemFailures").forEach(item -> kept.add(item.path("itemIdentifier").asText()));
        assertThat(kept).containsExactlyInAnyOrder("foreign", "unhandled");
        assertThat(store.find(own).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        for (long untouched : List.of(foreign, unhandled)) {
            JobRequest request = store.find(untouched).orElseThrow();
            assertThat(request.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(request.attempts()).isZero();
        }
        assertThat(effects.count("other-queue")).isZero();
    }

    private static void addRecord(ArrayNode records, String messageId, String body) {
        ObjectNode record = records.addObject();
        record.put("messageId", messageId).put("receiptHandle", "rh-" + messageId).put("body", body)
                .put("eventSource", "aws:sqs").put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:jobs")
                .put("awsRegion", "us-east-1");
        record.putObject("attributes").put("ApproximateReceiveCount", "1");
    }

    private static String batch(ArrayNode records) {
        ObjectNode event = JSON.createObjectNode();
        event.set("Records", records);
        return event.toString();
    }

    @Test
    void anUnknownEnvelopeTypeGetsAClearError() {
        InvokeResponse response = invoke("{\"type\":\"EMAIL\",\"to\":\"ada@example.com\"}");

        assertThat(response.functionError()).isEqualTo("Unhandled");
        assertThat(response.payload().asUtf8String()).contains("MalformedMessageException")
                .contains("unknown envelope type 'EMAIL'").contains("\\\"TASK\\\"").contains("\\\"JOB\\\"");
    }

    @Test
    void aJobHandedToAnotherFunctionIsNeverRunAndTheErrorNamesBothFunctions() {
        long foreign = store.insert(new NewJobRequest("count", null, "\"someone-elses\"", null, null, 3, "lambda-async")
                .withHandOff("billing-jobs", true)).request().id();
        long missing = foreign + 1_000;

        InvokeResponse response = invoke("{\"type\":\"JOB\",\"jobId\":" + foreign + "}");
        InvokeResponse unknown = invoke("{\"type\":\"JOB\",\"jobId\":" + missing + "}");

        assertThat(response.functionError()).isEqualTo("Unhandled");
        assertThat(response.payload().asUtf8String()).contains("MalformedMessageException")
                .contains("job request " + foreign).contains("'billing-jobs'").contains("'" + LambdaFunction.NAME + "'");
        assertThat(unknown.functionError()).isEqualTo("Unhandled");
        assertThat(unknown.payload().asUtf8String()).contains("job request " + missing + " does not exist");
        JobRequest untouched = store.find(foreign).orElseThrow();
        assertThat(untouched.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(untouched.attempts()).isZero();
        assertThat(effects.count("someone-elses")).isZero();
    }

    @Test
    void handlersAreGivenTheRemainingTimeOfTheInvocation() {
        JobRequest job = producer(lambda.endpoint()).dispatchJob(JobData.of("remaining", "x"));
        long remaining = Long.parseLong(awaitFinished(job.id()).resultJson());
        assertThat(remaining).isBetween(1L, 60_000L);
    }

    @Test
    void aJobDueLaterIsInvokedByTheScheduledSweepWhenDue() throws Exception {
        JobRequest job = producer(lambda.endpoint()).dispatchJob(JobData.builder("count").payload("scheduled")
                .runAt(Instant.now().plus(Duration.ofHours(2))).build());
        assertThat(store.find(job.id()).orElseThrow().handedOffAt()).isNull();
        postgres.execute("UPDATE job_request SET run_at = now() WHERE id = " + job.id());

        InvokeResponse sweep = invoke("{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"time\":\"2026-11-23T05:00:00Z\",\"detail\":{}}");

        assertThat(JSON.readTree(sweep.payload().asUtf8String()).path("handedOff").asInt()).isEqualTo(1);
        assertThat(awaitFinished(job.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void scheduledEventsFireADueRecurringJobOnceEvenWhenDeliveredTwiceAtOnce() throws Exception {
        producer(lambda.endpoint()).schedules().define(RecurringJob.builder("lambda-nightly").schedule("0 0 2 * * *")
                .job(JobData.of("count", "nightly")).build());
        Instant due = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5);
        postgres.execute("UPDATE job_schedule SET next_run_ms = " + due.toEpochMilli() + " WHERE name = 'lambda-nightly'");
        String event = "{\"version\":\"0\",\"id\":\"e2\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"time\":\"" + due + "\",\"detail\":{}}";

        CompletableFuture<InvokeResponse> first = CompletableFuture.supplyAsync(() -> invoke(event));
        CompletableFuture<InvokeResponse> second = CompletableFuture.supplyAsync(() -> invoke(event));

        int scheduled = 0;
        for (InvokeResponse response : List.of(first.get(), second.get())) {
            assertThat(response.functionError()).as(response.payload().asUtf8String()).isNull();
            scheduled += JSON.readTree(response.payload().asUtf8String()).path("scheduled").asInt();
        }
        assertThat(scheduled).isEqualTo(1);
        JobRequest fired = store.findByDedupKey(JobSchedules.occurrenceKey("lambda-nightly", due)).orElseThrow();
        assertThat(awaitFinished(fired.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects.count("nightly")).isEqualTo(1);
        assertThat(store.findSchedule("lambda-nightly").orElseThrow().nextRunAt())
                .isEqualTo(Schedule.parse("0 0 2 * * *").nextAfter(due, ZoneOffset.UTC));
    }

    @Test
    void anInvokeThatFailsAfterTheJobWasStoredDoesNotLeaveItStuck() throws Exception {
        String unreachable;
        try (ServerSocket socket = new ServerSocket(0)) {
            unreachable = "http://127.0.0.1:" + socket.getLocalPort();
        }
        JobRequest job = producer(unreachable).dispatchJob(JobData.of("count", "retried-invoke"));
        JobRequest stored = Await.value("the failed invoke cleared the hand-off mark", Duration.ofSeconds(30),
                () -> store.find(job.id()).orElseThrow(), request -> request.handedOffAt() == null);
        assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);

        invoke("{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}");

        assertThat(awaitFinished(job.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects.count("retried-invoke")).isEqualTo(1);
    }

    @Test
    void theColdStartIsMeasured() {
        try (LambdaEmulator fresh = LambdaFunction.deploy(postgres, 1, Map.of())) {
            LambdaClient freshClient = LambdaClient.builder().endpointOverride(URI.create(fresh.endpoint()))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
            InvokeResponse response = freshClient.invoke(b -> b.functionName(LambdaFunction.NAME)
                    .payload(SdkBytes.fromUtf8String("{\"type\":\"TASK\",\"taskName\":\"greet\",\"payload\":{\"name\":\"cold\",\"n\":1}}")));
            freshClient.close();

            assertThat(response.functionError()).as(fresh.containerOutput()).isNull();
            Duration coldStart = fresh.coldStart().orElseThrow();
            System.out.println("COLD START (runtime init from JVM start, plus the first invocation): " + coldStart.toMillis() + " ms");
            assertThat(coldStart).isPositive().isLessThan(TIMEOUT);
            assertThat(effects.recorded("greet")).containsExactly("cold:1");
        }
    }
}
