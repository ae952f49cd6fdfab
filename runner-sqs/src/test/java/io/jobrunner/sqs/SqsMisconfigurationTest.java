package io.jobrunner.sqs;

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
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.LocalSqs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/** Set-ups that would lose or mix up jobs are refused at start, and stray job ids are never run or dropped silently. */
class SqsMisconfigurationTest extends SqsFixtures {

    @TempDir
    Path directory;

    @Test
    void aProducerWithoutDatabaseUrlIsRefusedAtStartNamingIt() {
        LocalSqs.Queue queue = sqs.createQueue("no-database", 30, 3);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_EMBEDDED_DIR", directory.toString());

        assertThatThrownBy(() -> JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("DATABASE_URL")
                .hasMessageContaining("the embedded store " + directory.toAbsolutePath())
                .hasMessageContaining("JOB_RUNNER_ALLOW_EMBEDDED_STORE=true");
        Map<String, String> memory = new HashMap<>(settings);
        memory.put("JOB_RUNNER_STORE", "memory");
        assertThatThrownBy(() -> JobRunners.builder().environment(memory).handlers(HandlerRegistry.empty()).build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("DATABASE_URL")
                .hasMessageContaining("no other process")
                .hasMessageNotContaining("JOB_RUNNER_ALLOW_EMBEDDED_STORE");
    }

    @Test
    void aLocalEndpointWithoutCredentialsIsRefusedNamingTheVariablesToSet() {
        LocalSqs.Queue queue = sqs.createQueue("no-credentials", 30, 3);
        Map<String, String> settings = settings(queue);
        settings.remove("AWS_ACCESS_KEY_ID");
        settings.remove("AWS_SECRET_ACCESS_KEY");

        assertThatThrownBy(() -> SqsWorker.create(settings, HandlerRegistry.empty(), store))
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
                .hasMessageContaining("AWS_ENDPOINT_URL_SQS points at a server on this machine (" + sqs.endpoint() + ")")
                .hasMessageContaining("export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test");
        assertThatThrownBy(() -> JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store)
                .build())
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        Map<String, String> profile = new HashMap<>(settings);
        profile.put("AWS_PROFILE", "local");
        profile.put("AWS_ACCESS_KEY_ID", "test");
        profile.put("AWS_SECRET_ACCESS_KEY", "test");
        try (JobRunner producer = JobRunners.builder().environment(profile).handlers(HandlerRegistry.empty()).store(store)
                .build()) {
            assertThat(producer.name()).as("credentials given: accepted").isEqualTo("sqs");
        }
    }

    @Test
    void aWorkerOnAStoreNoOtherProcessSeesIsRefusedAndTheEmbeddedStoreIsAllowedWhenAskedFor() {
        LocalSqs.Queue queue = sqs.createQueue("worker-store", 30, 3);
        Map<String, String> settings = settings(queue);
        try (JdbiJobRequestStore memory = EmbeddedJobRequestStore.inMemory();
             JdbiJobRequestStore embedded = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThatThrownBy(() -> SqsWorker.create(settings, HandlerRegistry.empty(), memory))
                    .isInstanceOf(RunnerNotConfiguredException.class)
                    .hasMessageContaining("the SQS worker")
                    .hasMessageContaining("DATABASE_URL");
            assertThatThrownBy(() -> SqsWorker.create(settings, HandlerRegistry.empty(), embedded))
                    .isInstanceOf(RunnerNotConfiguredException.class)
                    .hasMessageContaining("JOB_RUNNER_ALLOW_EMBEDDED_STORE");

            Map<String, String> allowed = settings(queue, "JOB_RUNNER_ALLOW_EMBEDDED_STORE", "true");
            AtomicInteger runs = new AtomicInteger();
            try (SqsWorker worker = SqsWorker.create(allowed, HandlerRegistry.builder()
                    .job(JobHandler.of("record", Integer.class, (n, context) -> runs.incrementAndGet())).build(), embedded)
                    .start();
                 JobRunner producer = JobRunners.builder().environment(allowed).handlers(HandlerRegistry.empty())
                         .store(embedded).build()) {
                JobRequest job = producer.dispatchJob(JobData.of("record", 1));
                Await.until("the job ran on the embedded store", TIMEOUT,
                        () -> embedded.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);
                assertThat(worker.isRunning()).isTrue();
                assertThat(runs).hasValue(1);
            }
        }
    }

    @Test
    void aJobIdOfAnotherQueueOrOfNoRequestIsNeverRunAndItsMessageIsKeptForTheDeadLetterQueue() {
        LocalSqs.Queue queue = sqs.createQueue("stray-ids", 1, 2);
        AtomicInteger runs = new AtomicInteger();
        worker(settings(queue), HandlerRegistry.builder()
                .job(JobHandler.of("record", Integer.class, (n, context) -> runs.incrementAndGet())).build());
        JobRequest elsewhere = store.insert(new NewJobRequest("record", null, "1", null, null, 1, "sqs",
                "https://sqs.example/other-queue", true)).request();
        String strayBody = "{\"type\":\"JOB\",\"jobId\":" + elsewhere.id() + "}";
        String missingBody = "{\"type\":\"JOB\",\"jobId\":" + (elsewhere.id() + 1000) + "}";
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody(strayBody));
        sqs.client().sendMessage(b -> b.queueUrl(queue.url()).messageBody(missingBody));

        List<Message> deadLetters = new ArrayList<>();
        Await.until("both stray messages reached the dead-letter queue", TIMEOUT, () -> {
            deadLetters.addAll(receiveAll(queue.deadLetterUrl()));
            return deadLetters.size() >= 2;
        });
        assertThat(deadLetters).extracting(Message::body).containsExactlyInAnyOrder(strayBody, missingBody);
        JobRequest untouched = store.find(elsewhere.id()).orElseThrow();
        assertThat(untouched.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(untouched.attempts()).isZero();
        assertThat(runs).hasValue(0);
    }
}
