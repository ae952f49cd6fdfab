package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.LambdaEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The {@code lambda-async} figures, with the function jar deployed to the local emulator under AWS's
 * Runtime Interface Client: the handler's cold start (container JVM start to first response),
 * asynchronous invocations dispatched per second by the runner, and the jar's size.
 *
 * <p>Arguments: invocations per round (default 2000). Run from the repository root after
 * {@code mvn -B -q -DskipTests package}, or give the jar with {@code -Dfunction.jar=…}.
 */
public final class LambdaBenchmark {

    private LambdaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int invocations = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        Path jar = Path.of(System.getProperty("function.jar", "examples/target/jobrunner-function.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run mvn -B -q -DskipTests package first");
        }
        List<Path> classPath = new java.util.ArrayList<>(List.of(jar));
        classPath.addAll(LambdaEmulator.runtimeClientJars());
        LambdaEmulator.Function function = new LambdaEmulator.Function("jobs", "io.jobrunner.lambda.JobRunnerHandler::handleRequest",
                classPath, Map.of("JOB_RUNNER_STORE", "memory"), 60, 1, 0);
        try (LambdaEmulator lambda = LambdaEmulator.start(function);
             LambdaClient client = LambdaClient.builder().endpointOverride(java.net.URI.create(lambda.endpoint()))
                     .region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
             JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(
                     java.nio.file.Files.createTempDirectory("jobrunner-bench-"));
             JobRunner runner = JobRunners.builder()
                     .environment(Map.of("JOB_RUNNER", "lambda-async", "JOB_RUNNER_LAMBDA_FUNCTION", "jobs",
                             "JOB_RUNNER_ALLOW_EMBEDDED_STORE", "true",
                             "AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint(), "AWS_REGION", "us-east-1",
                             "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"))
                     .handlers(HandlerRegistry.empty()).store(store).build()) {
            String task = "{\"type\":\"TASK\",\"taskName\":\"send-welcome-email\",\"payload\":{\"email\":\"cold@example.com\"}}";
            client.invoke(b -> b.functionName("jobs").payload(SdkBytes.fromUtf8String(task)));
            Duration coldStart = lambda.coldStart().orElseThrow();

            double[] rates = new double[5];
            long completedBefore = lambda.completedEvents();
            for (int round = 0; round < rates.length; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < invocations; i++) {
                    runner.dispatchTask("send-welcome-email", Map.of("email", "user" + i + "@example.com"));
                }
                rates[round] = invocations / ((System.nanoTime() - start) / 1e9);
            }
            long total = (long) invocations * rates.length;
            long drainStart = System.nanoTime();
            Await.until("the function ran every invocation", Duration.ofMinutes(10),
                    () -> lambda.completedEvents() - completedBefore >= total);
            java.util.Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "lambda-async through the emulator (function jar, Runtime Interface Client)%n");
            System.out.printf(Locale.ROOT, "  cold start (runtime init from JVM start, plus the first invocation): %d ms%n", coldStart.toMillis());
            System.out.printf(Locale.ROOT, "  async invokes dispatched per second (202 received), median of %d rounds of %d: %,.0f%n",
                    rates.length, invocations, rates[rates.length / 2]);
            System.out.printf(Locale.ROOT, "  all %d run by one container %.1f s after the last dispatch%n", total,
                    (System.nanoTime() - drainStart) / 1e9);
            System.out.printf(Locale.ROOT, "  function jar: %s, %.2f MiB%n", jar.getFileName(), Files.size(jar) / 1048576.0);
        }
    }
}
