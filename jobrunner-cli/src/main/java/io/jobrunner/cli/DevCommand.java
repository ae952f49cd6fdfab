package io.jobrunner.cli;

import io.jobrunner.Setting;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.spi.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobrunner dev}: SQS (and optionally Lambda) on this machine, no AWS account and no
 * Docker: an ElasticMQ server with the queue and its dead-letter queue, and a Lambda service running
 * a function's jar under AWS's Runtime Interface Client; prints the variables that point producers
 * and workers at them, and writes them to a file to {@code source}.
 */
@Command(name = "dev", description = "Run SQS, and with --lambda-jar a Lambda function, on 127.0.0.1 for local"
        + " development: a queue with a dead-letter queue behind a redrive policy, and the function's jar under AWS's"
        + " Runtime Interface Client. Prints the variables to export (and writes them to --env-file), then runs"
        + " until SIGTERM or Ctrl-C.")
final class DevCommand implements Callable<Integer> {

    static final String HANDLER = "io.jobrunner.lambda.JobRunnerHandler::handleRequest";

    @Spec
    CommandSpec spec;

    @Option(names = "--queue", paramLabel = "NAME", description = "the queue's name (default jobs); its dead-letter queue is"
            + " NAME-dead-letters")
    String queue = "jobs";

    @Option(names = "--sqs-port", paramLabel = "PORT", description = "the SQS server's port (default 9324)")
    int sqsPort = 9324;

    @Option(names = "--max-receive-count", paramLabel = "N", description = "receives before a message moves to the"
            + " dead-letter queue: at least the largest max attempts + 2 (default 7)")
    int maxReceiveCount = 7;

    @Option(names = "--visibility-timeout", paramLabel = "SECONDS", description = "the queue's visibility timeout (default 30)")
    int visibilitySeconds = 30;

    @Option(names = "--lambda-jar", paramLabel = "JAR", description = "a function jar to serve as a local Lambda, e.g."
            + " examples/target/jobrunner-example.jar (it needs SQLite for the embedded store)")
    Path lambdaJar;

    @Option(names = "--function", paramLabel = "NAME", description = "the function's name (default jobs)")
    String function = "jobs";

    @Option(names = "--handler", paramLabel = "CLASS::METHOD", description = "the function's handler (default " + HANDLER + ")")
    String handler = HANDLER;

    @Option(names = "--lambda-port", paramLabel = "PORT", description = "the Lambda service's port (default 9001)")
    int lambdaPort = 9001;

    @Option(names = "--containers", paramLabel = "N", description = "the function's containers, each a JVM (default 1)")
    int containers = 1;

    @Option(names = "--env-file", paramLabel = "FILE", description = "where to write the variables (default"
            + " .jobrunner/dev.env; source it in other shells)")
    Path envFile = Path.of(".jobrunner", "dev.env");

    @Override
    public Integer call() throws IOException, InterruptedException {
        Settings settings = Settings.fromEnvironment();
        if (maxReceiveCount < 1 || visibilitySeconds < 0 || containers < 1) {
            throw new IllegalArgumentException("--max-receive-count and --containers must be at least 1, and"
                    + " --visibility-timeout at least 0");
        }
        if (lambdaJar != null && !Files.isRegularFile(lambdaJar)) {
            throw new IllegalArgumentException("--lambda-jar " + lambdaJar + " is not a file; build it first (mvn -B -q"
                    + " -DskipTests package makes examples/target/jobrunner-example.jar)");
        }
        LocalSqs sqs;
        try {
            sqs = LocalSqs.start(sqsPort);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " with --sqs-port (is another jobrunner dev running?)", e);
        }
        List<AutoCloseable> running = new ArrayList<>(List.of(sqs));
        try {
            LocalSqs.Queue created = sqs.createNamedQueue(queue, visibilitySeconds, maxReceiveCount);
            Map<String, String> exports = new LinkedHashMap<>();
            exports.put("JOB_RUNNER", "sqs");
            exports.putAll(new TreeMap<>(sqs.settings(created.url())));
            boolean embedded = settings.get(Setting.DATABASE_URL).isEmpty();
            if (embedded) {
                exports.put("JOB_RUNNER_ALLOW_EMBEDDED_STORE", "true");
            }
            LambdaEmulator lambda = null;
            if (lambdaJar != null) {
                lambda = startFunction(exports);
                running.add(0, lambda);
                exports.put("AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint());
                exports.put("JOB_RUNNER_LAMBDA_FUNCTION", function);
            }
            PrintWriter out = spec.commandLine().getOut();
            List<String> lines = new ArrayList<>();
            lines.add("# jobrunner dev: SQS at " + sqs.endpoint() + ", queue " + queue + " (" + created.url() + "), dead"
                    + " letters after " + maxReceiveCount + " receives in " + queue + "-dead-letters");
            if (lambda != null) {
                lines.add("# Lambda at " + exports.get("AWS_ENDPOINT_URL_LAMBDA") + ": function " + function + " from "
                        + lambdaJar + " (" + handler + "); JOB_RUNNER=lambda-async sends jobs to it");
                for (Path log : lambda.containerLogFiles()) {
                    lines.add("# the function's log: tail -f " + log);
                }
            }
            if (embedded) {
                lines.add("# no DATABASE_URL: the embedded store in " + settings.string(Setting.EMBEDDED_DIR)
                        + ", shared by the processes of this machine started from here");
            }
            exports.forEach((name, value) -> lines.add("export " + name + "=" + value));
            if (envFile.getParent() != null) {
                Files.createDirectories(envFile.getParent());
            }
            Files.write(envFile, lines);
            lines.forEach(out::println);
            out.println("# written to " + envFile + ": run 'source " + envFile + "' in other shells. Ctrl-C stops.");
            out.flush();
        } catch (RuntimeException | IOException e) {
            closeAll(running);
            throw e;
        }
        return UntilStopped.await("dev", running.toArray(AutoCloseable[]::new));
    }

    private LambdaEmulator startFunction(Map<String, String> exports) {
        Map<String, String> environment = new HashMap<>(exports);
        environment.put("JOB_RUNNER", "lambda-async");
        List<Path> classPath = new ArrayList<>(List.of(lambdaJar.toAbsolutePath()));
        classPath.addAll(LambdaEmulator.runtimeClientJars());
        try {
            return LambdaEmulator.start(new LambdaEmulator.Function(function, handler, classPath, environment, 300,
                    containers, 2), lambdaPort);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage() + " with --lambda-port", e);
        }
    }

    private static void closeAll(List<AutoCloseable> running) {
        for (AutoCloseable resource : running) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("jobrunner dev: closing failed: " + e);
            }
        }
    }
}
