package io.jobrunner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import io.jobrunner.local.LocalSqs;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Producer and worker built from one {@link JobRunnerConfig}: the application's own {@code SqsClient}
 * carries every call and stays open, and the codec given to the builder is the one the worker reads
 * payloads with.
 */
class SqsConfigurationTest extends SqsFixtures {

    record Report(String title) {
    }

    /** Counts the operations an SQS client sends, by name. */
    static final class CountingInterceptor implements ExecutionInterceptor {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.computeIfAbsent(context.request().getClass().getSimpleName(), name -> new AtomicInteger()).incrementAndGet();
        }

        int of(String request) {
            return calls.getOrDefault(request, new AtomicInteger()).get();
        }
    }

    private static HandlerRegistry reportHandlers() {
        return HandlerRegistry.builder()
                .job(JobHandler.of("report", Report.class, (report, context) -> "report " + report.title()))
                .build();
    }

    @Test
    void theApplicationsClientCarriesEveryCallAndTheGivenCodecReachesTheWorker() {
        LocalSqs.Queue queue = sqs.createQueue("app-client", 30, 3);
        CountingInterceptor counting = new CountingInterceptor();
        try (SqsClient appClient = SqsClient.builder()
                .endpointOverride(URI.create(sqs.endpoint()))
                .region(Region.of(LocalSqs.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LocalSqs.ACCESS_KEY, LocalSqs.SECRET_KEY)))
                .overrideConfiguration(o -> o.addExecutionInterceptor(counting))
                .build()) {
            // A client built from these settings would reach nothing: only the application's can work.
            Map<String, String> settings = settings(queue, "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9");
            JobRunnerConfig config = JobRunners.builder()
                    .environment(settings)
                    .handlers(reportHandlers())
                    .codec(PayloadCodec.lenient())
                    .store(store)
                    .client(SqsClient.class, appClient)
                    .config();

            JobRequest job;
            try (JobRunner producer = config.newRunner(); SqsWorker worker = SqsWorker.create(config).start()) {
                job = producer.dispatchJob(JobData.of("report", Map.of("title", "Q3", "email", "x@example.com")));
                JobRequest finished = awaitFinished(job.id());
                assertThat(finished.status()).as(finished.lastError()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(producer.jobs().find(job.id()).orElseThrow().resultJson()).isEqualTo("\"report Q3\"");
            }

            assertThat(counting.of("SendMessageRequest") + counting.of("SendMessageBatchRequest")).isPositive();
            assertThat(counting.of("ReceiveMessageRequest")).isPositive();
            assertThat(counting.of("DeleteMessageBatchRequest") + counting.of("DeleteMessageRequest")).isPositive();
            // Still open after the producer and the worker closed: they do not own it.
            assertThat(appClient.getQueueUrl(b -> b.queueName(queue.url().substring(queue.url().lastIndexOf('/') + 1)))
                    .queueUrl()).isEqualTo(queue.url());
        }
    }

    @Test
    void withoutTheGivenCodecTheWorkerReadsStrictlyAndNamesTheUnknownProperty() {
        LocalSqs.Queue queue = sqs.createQueue("strict", 30, 3);
        Map<String, String> settings = settings(queue);
        JobRunnerConfig config = JobRunners.builder().environment(settings).handlers(reportHandlers()).store(store).config();
        // A producer that has the handler refuses the payload at dispatch; one that has none cannot check it.
        JobRunnerConfig blind = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store)
                .config();
        Map<String, String> wrongShape = Map.of("title", "Q3", "email", "x@example.com");
        try (JobRunner knowing = config.newRunner(); JobRunner producer = blind.newRunner();
             SqsWorker worker = SqsWorker.create(config).start()) {
            assertThatThrownBy(() -> knowing.dispatchJob(JobData.of("report", wrongShape)))
                    .isInstanceOf(PayloadException.class).hasMessageContaining("email");
            JobRequest job = producer.dispatchJob(JobData.of("report", wrongShape));
            JobRequest finished = awaitFinished(job.id());
            assertThat(finished.status()).isEqualTo(JobStatus.FAILED);
            assertThat(finished.lastError()).contains("email").contains(Report.class.getSimpleName());
        }
    }
}
