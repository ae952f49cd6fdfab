package io.jobrunner.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.TaskHandler;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One trace from a request's span through the dispatch to the run, with the real tracer (Micrometer
 * Tracing over the OpenTelemetry SDK, spans in an in-memory exporter): in process, through a real SQS
 * worker on ElasticMQ, and through a database worker in another process on PostgreSQL.
 */
class JobObservationsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** What the handlers saw in the MDC while they ran, by task payload. */
    private static final Map<String, Map<String, String>> TASK_MDC = new ConcurrentHashMap<>();

    private static PostgresFixture postgres;
    private static LocalSqs sqs;
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private TestTracing tracing;
    private JobRequestStore store;

    @BeforeAll
    static void startServices() {
        postgres = PostgresFixture.forTestClass(JobObservationsTest.class);
        sqs = LocalSqs.start();
    }

    @AfterAll
    static void stopServices() {
        sqs.close();
        postgres.close();
    }

    @BeforeEach
    void open() {
        tracing = new TestTracing(spans);
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4, postgres.schema());
        postgres.truncateJobTables();
        TASK_MDC.clear();
    }

    @AfterEach
    void close() {
        store.close();
        tracing.close();
    }

    /** A job that answers with the MDC's trace fields as it ran, and a task that records them under its payload. */
    static HandlerRegistry handlers(Map<String, Map<String, String>> taskMdc) {
        return HandlerRegistry.builder()
                .job(JobHandler.of("traced", String.class, (payload, context) -> traceFields()))
                .task(TaskHandler.of("traced-task", String.class, payload -> {
                    if (taskMdc != null) {
                        taskMdc.put(payload, traceFields());
                    }
                }))
                .build();
    }

    private static Map<String, String> traceFields() {
        Map<String, String> fields = new HashMap<>();
        fields.put("traceId", String.valueOf(MDC.get("traceId")));
        fields.put("spanId", String.valueOf(MDC.get("spanId")));
        return fields;
    }

    private JobRunners.Builder builder(Map<String, String> settings) {
        return JobRunners.builder().environment(settings).handlers(handlers(TASK_MDC)).store(store)
                .tracer(JobObservations.of(tracing.registry));
    }

    /** Runs {@code dispatch} inside a request's span, as a web framework's tracing would; returns that span. */
    private Span inRequest(Runnable dispatch) {
        Span request = tracing.root("POST /orders");
        try (Tracer.SpanInScope scope = tracing.tracer.withSpan(request)) {
            dispatch.run();
        } finally {
            request.end();
        }
        return request;
    }

    private SpanData span(String name, String traceId) {
        return Await.value("a finished span '" + name + "' in trace " + traceId, TIMEOUT,
                () -> spans.getFinishedSpanItems().stream()
                        .filter(span -> span.getName().equals(name) && span.getTraceId().equals(traceId))
                        .findFirst().orElse(null),
                span -> span != null);
    }

    /** The dispatch span is the request's child, the run span the dispatch's, and the handler saw the run span in its MDC. */
    private SpanData assertLinked(Span request, String name, Map<String, String> mdc) {
        String traceId = request.context().traceId();
        SpanData dispatch = span("dispatch " + name, traceId);
        SpanData run = span("run " + name, traceId);
        assertThat(dispatch.getParentSpanId()).as("dispatch's parent").isEqualTo(request.context().spanId());
        assertThat(dispatch.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(run.getParentSpanId()).as("run's parent").isEqualTo(dispatch.getSpanId());
        assertThat(run.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(mdc).as("the MDC while the handler ran").containsEntry("traceId", traceId)
                .containsEntry("spanId", run.getSpanId());
        return dispatch;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> result(JobRequest request) {
        return request.result(Map.class).orElseThrow();
    }

    private static String traceParent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
    }

    @Test
    void inProcessTheRunOfAJobAndOfATaskIsAChildOfItsDispatchInTheRequestsTrace() {
        try (JobRunner runner = builder(Map.of("JOB_RUNNER", "inprocess-async")).build()) {
            JobRequest[] job = new JobRequest[1];
            Span request = inRequest(() -> {
                job[0] = runner.dispatchJob(JobData.of("traced", "order-1"));
                runner.dispatchTask("traced-task", "task-1");
            });
            JobRequest done = runner.jobs().await(job[0].id(), TIMEOUT).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            Await.until("the task ran", TIMEOUT, () -> TASK_MDC.containsKey("task-1"));

            SpanData dispatch = assertLinked(request, "traced", result(done));
            assertThat(done.traceParent()).as("stored with the request").isEqualTo(traceParent(dispatch));
            assertLinked(request, "traced-task", TASK_MDC.get("task-1"));
        }
    }

    @Test
    void aJobAndATaskCarryTheTraceThroughSqsToAWorkerThatContinuesIt() {
        LocalSqs.Queue queue = sqs.createQueue("traced", 30, 5);
        Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
        settings.put("JOB_RUNNER", "sqs");
        settings.put("JOB_RUNNER_HANDOFF_SYNC", "true");
        settings.put("JOB_RUNNER_SQS_WAIT_TIME", "1s");
        try (JobRunner producer = builder(settings).build()) {
            JobRequest[] job = new JobRequest[1];
            Span request = inRequest(() -> {
                job[0] = producer.dispatchJob(JobData.of("traced", "order-2"));
                producer.dispatchTask("traced-task", "task-2");
            });
            List<Message> messages = sqs.client().receiveMessage(r -> r.queueUrl(queue.url()).maxNumberOfMessages(10)
                    .messageAttributeNames("All").visibilityTimeout(0).waitTimeSeconds(1)).messages();
            assertThat(messages).hasSize(2).allSatisfy(message -> assertThat(message.messageAttributes()
                    .get("traceparent").stringValue()).as("the message attribute")
                    .startsWith("00-" + request.context().traceId() + "-"));

            try (SqsWorker worker = SqsWorker.create(builder(settings).config()).start()) {
                JobRequest done = Await.value("the job ran on the worker", TIMEOUT,
                        () -> store.find(job[0].id()).orElseThrow(), found -> found.status() == JobStatus.SUCCEEDED);
                Await.until("the task ran on the worker", TIMEOUT, () -> TASK_MDC.containsKey("task-2"));

                SpanData dispatch = assertLinked(request, "traced", result(done));
                assertThat(done.traceParent()).isEqualTo(traceParent(dispatch));
                assertLinked(request, "traced-task", TASK_MDC.get("task-2"));
            }
        }
    }

    @Test
    void aDatabaseWorkerInAnotherProcessContinuesTheTraceOfTheDispatch() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER", "database");
        settings.put("DATABASE_URL", postgres.serverUrl());
        settings.put("JOB_RUNNER_DB_SCHEMA", postgres.schema());
        try (ChildJvm worker = ChildJvm.start(TracedWorkerMain.class.getName(), settings, List.of("-Xmx256m"));
             JobRunner producer = builder(settings).build()) {
            Await.until("the worker process started:\n" + worker.output(), TIMEOUT,
                    () -> worker.output().contains("READY"));
            JobRequest[] job = new JobRequest[1];
            Span request = inRequest(() -> job[0] = producer.dispatchJob(JobData.of("traced", "order-3")));
            JobRequest done = Await.value("the job ran in the worker process", TIMEOUT,
                    () -> store.find(job[0].id()).orElseThrow(), found -> found.status() == JobStatus.SUCCEEDED);

            String traceId = request.context().traceId();
            SpanData dispatch = span("dispatch traced", traceId);
            assertThat(dispatch.getParentSpanId()).isEqualTo(request.context().spanId());
            assertThat(done.traceParent()).isEqualTo(traceParent(dispatch));
            Map<String, String> mdc = result(done);
            assertThat(mdc).as("the worker's MDC").containsEntry("traceId", traceId);
            String runLine = "SPAN|run traced|" + traceId + "|" + mdc.get("spanId") + "|" + dispatch.getSpanId();
            Await.until("the worker process exported " + runLine + ":\n" + worker.output(), TIMEOUT,
                    () -> worker.output().contains(runLine));
        }
    }
}
