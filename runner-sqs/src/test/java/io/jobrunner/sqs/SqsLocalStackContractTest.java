package io.jobrunner.sqs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The runner contract for {@code sqs} against LocalStack in Docker. Run with {@code -Plocalstack};
 * skipped, saying why, where no Docker engine runs.
 */
@Tag("localstack")
class SqsLocalStackContractTest extends JobRunnerContractTest {

    private static PostgresFixture postgres;
    private static LocalStackContainer localstack;
    private static SqsClient admin;
    private SqsWorker worker;

    private static final String NO_DOCKER = "No Docker engine is available, so the LocalStack contract tests are "
            + "skipped; the same contract runs on ElasticMQ in SqsRunnerContractTest";

    @BeforeAll
    static void startLocalStack() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            System.err.println(NO_DOCKER);
            return;
        }
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                .withServices(LocalStackContainer.Service.SQS);
        localstack.start();
        admin = SqsClient.builder().endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        localstack.getAccessKey(), localstack.getSecretKey()))).build();
        postgres = PostgresFixture.forTestClass(SqsLocalStackContractTest.class);
    }

    @AfterAll
    static void stopLocalStack() {
        if (admin != null) {
            admin.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private LocalSqs.Queue queue;

    @Override
    protected Map<String, String> environment() {
        assumeTrue(localstack != null, NO_DOCKER);
        if (queue == null) {
            queue = LocalSqs.createQueue(admin, "contract", 30, 5);  // one per test, shared by its runners
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER", "sqs");
        settings.put("JOB_RUNNER_SQS_QUEUE_URL", queue.url());
        settings.put("AWS_ENDPOINT_URL_SQS", localstack.getEndpoint().toString());
        settings.put("AWS_REGION", localstack.getRegion());
        settings.put("AWS_ACCESS_KEY_ID", localstack.getAccessKey());
        settings.put("AWS_SECRET_ACCESS_KEY", localstack.getSecretKey());
        settings.put("JOB_RUNNER_SQS_WAIT_TIME", "1s");
        settings.put("JOB_RUNNER_HANDOFF_INTERVAL", "200ms");
        return settings;
    }

    @Override
    protected JobRequestStore openStore() {
        assumeTrue(localstack != null, NO_DOCKER);
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return store;
    }

    @Override
    protected String expectedRunnerName() {
        return "sqs";
    }

    @Override
    protected void startWorkers(Map<String, String> settings, HandlerRegistry handlers, JobRequestStore store) {
        worker = SqsWorker.create(settings, handlers, store).start();
    }

    @Override
    protected void stopWorkers() {
        if (worker != null) {
            worker.close();
        }
    }
}
