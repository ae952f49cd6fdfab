package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.PostgresFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.sqs.model.Message;

/** PostgreSQL and ElasticMQ for SQS tests, with producers and workers that are closed after each test. */
abstract class SqsFixtures {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static PostgresFixture postgres;
    static LocalSqs sqs;

    JobRequestStore store;
    final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startServers() {
        postgres = PostgresFixture.forTestClass(SqsFixtures.class);
        sqs = LocalSqs.start();
    }

    @AfterAll
    static void stopServers() {
        sqs.close();
        postgres.close();
    }

    @BeforeEach
    void openStore() {
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 20, postgres.schema());
        postgres.truncateJobTables();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        store.close();
    }

    /** Settings for the queue, fast for tests, with extra entries on top. */
    static Map<String, String> settings(LocalSqs.Queue queue, String... extra) {
        Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
        settings.put("JOB_RUNNER", "sqs");
        settings.put("JOB_RUNNER_SQS_WAIT_TIME", "1s");
        settings.put("JOB_RUNNER_HANDOFF_INTERVAL", "200ms");
        settings.put("JOB_RUNNER_RETRY_BASE_DELAY", "100ms");
        settings.put("JOB_RUNNER_RETRY_MAX_DELAY", "1s");
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        return settings;
    }

    JobRunner producer(Map<String, String> settings) {
        JobRunner runner = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store).build();
        opened.add(runner);
        return runner;
    }

    SqsWorker worker(Map<String, String> settings, HandlerRegistry handlers) {
        SqsWorker worker = SqsWorker.create(settings, handlers, store).start();
        opened.add(worker);
        return worker;
    }

    JobRequest awaitFinished(long id) {
        return Await.value("job request " + id + " is finished", TIMEOUT, () -> store.find(id).orElseThrow(),
                request -> request.status().isFinished());
    }

    static List<Message> receiveAll(String queueUrl) {
        return sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
    }
}
