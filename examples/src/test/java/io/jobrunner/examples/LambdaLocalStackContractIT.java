package io.jobrunner.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.ContractEffects;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * The runner contract for {@code lambda-async} against LocalStack's Lambda in Docker, with the
 * example jar deployed as a function. Run with {@code -Plocalstack}; skipped, saying why, where no
 * Docker engine runs.
 */
@Tag("localstack")
class LambdaLocalStackContractIT extends JobRunnerContractTest {

    private static final String NO_DOCKER = "No Docker engine is available, so the LocalStack Lambda contract tests "
            + "are skipped; the same contract runs on the local emulator in LambdaRunnerContractIT";

    private static PostgresFixture postgres;
    private static LocalStackContainer localstack;

    @BeforeAll
    static void deploy() throws Exception {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            System.err.println(NO_DOCKER);
            return;
        }
        postgres = PostgresFixture.forTestClass(LambdaLocalStackContractIT.class);
        JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()).close();
        Testcontainers.exposeHostPorts(5432);
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                .withServices(LocalStackContainer.Service.LAMBDA)
                .withEnv("LAMBDA_DOCKER_FLAGS", "--add-host host.testcontainers.internal:host-gateway");
        localstack.start();
        String database = "jdbc:postgresql://host.testcontainers.internal:5432/test?user=postgres";
        try (LambdaClient client = client()) {
            byte[] jar = Files.readAllBytes(Path.of(System.getProperty("function.jar", "target/jobrunner-function.jar")));
            client.createFunction(b -> b.functionName(LambdaFunction.NAME).runtime(Runtime.JAVA17)
                    .handler(LambdaFunction.HANDLER).role("arn:aws:iam::000000000000:role/jobs").timeout(60).memorySize(1024)
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(jar)))
                    .environment(e -> e.variables(Map.of("DATABASE_URL", database, "JOB_RUNNER_DB_SCHEMA", postgres.schema(),
                            ContractEffects.URL_VARIABLE, database + "&currentSchema=" + postgres.schema(),
                            "JOB_RUNNER_LAMBDA_FUNCTION", LambdaFunction.NAME,
                            "JOB_RUNNER_RETRY_BASE_DELAY", "20ms", "JOB_RUNNER_RETRY_MAX_DELAY", "100ms"))));
            client.waiter().waitUntilFunctionActiveV2(b -> b.functionName(LambdaFunction.NAME));
        }
    }

    private static LambdaClient client() {
        return LambdaClient.builder().endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        localstack.getAccessKey(), localstack.getSecretKey()))).build();
    }

    @AfterAll
    static void undeploy() {
        if (localstack != null) {
            localstack.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected ContractEffects newEffects() {
        assumeTrue(localstack != null, NO_DOCKER);
        ContractEffects.Postgres effects = (ContractEffects.Postgres) ContractEffects.postgres(postgres.jdbcUrl());
        effects.clear();
        return effects;
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", "lambda-async", "JOB_RUNNER_LAMBDA_FUNCTION", LambdaFunction.NAME,
                "AWS_ENDPOINT_URL_LAMBDA", localstack.getEndpoint().toString(), "AWS_REGION", localstack.getRegion(),
                "AWS_ACCESS_KEY_ID", localstack.getAccessKey(), "AWS_SECRET_ACCESS_KEY", localstack.getSecretKey());
    }

    @Override
    protected JobRequestStore openStore() {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return store;
    }

    @Override
    protected String expectedRunnerName() {
        return "lambda-async";
    }
}
