package io.jobrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.testkit.PostgresFixture;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The function built in code ({@link WiredLambdaFunction}: handlers from code, not META-INF/services)
 * under the real Runtime Interface Client, fed by a producer that uses the application's own
 * {@code LambdaClient}.
 */
class LambdaConfigurationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static PostgresFixture postgres;
    private static LambdaEmulator lambda;

    @BeforeAll
    static void deploy() {
        postgres = PostgresFixture.forTestClass(LambdaConfigurationIT.class);
        JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()).close();
        lambda = LambdaFunction.deploy(postgres, WiredLambdaFunction.class.getName() + "::handleRequest", 1, Map.of());
    }

    @AfterAll
    static void undeploy() {
        lambda.close();
        postgres.close();
    }

    @Test
    void aFunctionWithHandlersFromCodeRunsJobsSentThroughTheApplicationsLambdaClient() {
        AtomicInteger invokes = new AtomicInteger();
        ExecutionInterceptor counting = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                invokes.incrementAndGet();
            }
        };
        try (LambdaClient appClient = LambdaClient.builder()
                .endpointOverride(URI.create(lambda.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(o -> o.addExecutionInterceptor(counting))
                .build();
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4, postgres.schema())) {
            // A client built from these settings would reach nothing: only the application's can work.
            JobRunner producer = JobRunners.builder()
                    .environment(Map.of("JOB_RUNNER", "lambda-async", "JOB_RUNNER_LAMBDA_FUNCTION", LambdaFunction.NAME,
                            "AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9", "AWS_REGION", "us-east-1"))
                    .handlers(HandlerRegistry.empty())
                    .store(store)
                    .client(LambdaClient.class, appClient)
                    .build();
            JobRequest job;
            try (producer) {
                job = producer.dispatchJob(JobData.of(WiredLambdaFunction.ECHO, "hello"));
            }

            JobRequest finished = Await.value("the wired job finished", TIMEOUT, () -> store.find(job.id()).orElseThrow(),
                    request -> request.status().isFinished());
            assertThat(finished.status()).as(String.valueOf(finished.lastError())).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(finished.resultJson()).isEqualTo("\"wired hello\"");
            assertThat(invokes.get()).isPositive();
            // The producer closed; the application's client is still open and still reaches the emulator.
            String swept = appClient.invoke(b -> b.functionName(LambdaFunction.NAME)
                    .payload(SdkBytes.fromUtf8String("{\"source\":\"aws.events\"}"))).payload().asUtf8String();
            assertThat(swept).contains("\"handedOff\":0");
        }
    }
}
