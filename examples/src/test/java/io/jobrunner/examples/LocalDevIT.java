package io.jobrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.testkit.DocBlocks;
import io.jobrunner.testkit.PostgresFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Try it on SQS and Lambda locally" commands, read from the README and run as the
 * processes a user starts in separate shells: {@code jobrunner dev}, a worker, the demo. Each block
 * runs on the embedded store and on PostgreSQL; every job of the demo must succeed.
 */
class LocalDevIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path directory;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopProcesses() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : started) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The commands under {@code # terminal N} comments of the README block after the marker. */
    private static List<String> commands(String marker) throws IOException {
        return DocBlocks.terminalCommands(ROOT.resolve("README.md"), "<!-- local-dev: " + marker + " -->");
    }

    /** A shell in a directory that looks like the repository root (its build output linked in), so .jobrunner/ is the test's. */
    private Process shell(String command, Map<String, String> environment, String name) throws IOException {
        for (String linked : List.of("bin", "examples", "jobrunner-cli")) {
            Path link = directory.resolve(linked);
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, ROOT.resolve(linked));
            }
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve(name + ".log").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("JOB_RUNNER") || key.startsWith("AWS_")
                || key.equals("DATABASE_URL") || key.startsWith("JOBS_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private String log(String name) throws IOException {
        Path file = directory.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private void awaitEnvironmentFile(Process dev) throws Exception {
        Path file = directory.resolve(".jobrunner/dev.env");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(file) || !Files.readString(file).contains("JOB_RUNNER_SQS_QUEUE_URL")) {
            assertThat(dev.isAlive()).as("jobrunner dev is running:\n" + log("dev")).isTrue();
            assertThat(System.nanoTime()).as("jobrunner dev wrote its variables:\n" + log("dev")).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private void demoSucceeds(String command, Map<String, String> environment) throws Exception {
        Process demo = shell(command, environment, "demo");
        assertThat(demo.waitFor(180, TimeUnit.SECONDS)).as("the demo finished:\n" + log("demo")).isTrue();
        String output = log("demo");
        assertThat(demo.exitValue()).as(output).isZero();
        String result = output.substring(output.indexOf("Final job requests:"));
        assertThat(result.split("status=succeeded", -1)).as(output + "\n--- dev:\n" + log("dev") + "\n--- worker:\n"
                + log("worker")).hasSize(4);
    }

    private void sqsCommandsRunTheDemo(Map<String, String> environment) throws Exception {
        List<String> commands = commands("sqs");
        assertThat(commands).hasSize(3);
        Process dev = shell(commands.get(0), environment, "dev");
        awaitEnvironmentFile(dev);
        shell(commands.get(1), environment, "worker");
        demoSucceeds(commands.get(2), environment);
        assertThat(log("demo")).contains("Runner: sqs");
        assertThat(log("worker")).contains("Sent the welcome email to ada@example.com");
    }

    private void lambdaCommandsRunTheDemo(Map<String, String> environment) throws Exception {
        List<String> commands = commands("lambda");
        assertThat(commands).hasSize(2);
        Process dev = shell(commands.get(0), environment, "dev");
        awaitEnvironmentFile(dev);
        String exports = Files.readString(directory.resolve(".jobrunner/dev.env"));
        assertThat(exports).contains("AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:9001", "JOB_RUNNER_LAMBDA_FUNCTION=jobs");
        demoSucceeds(commands.get(1), environment);
        assertThat(log("demo")).contains("Runner: lambda-async");
        Matcher functionLog = Pattern.compile("# the function's log: tail -f (\\S+)").matcher(exports);
        assertThat(functionLog.find()).as(exports).isTrue();
        assertThat(Files.readString(Path.of(functionLog.group(1)))).as("the function ran the demo's tasks")
                .contains("Sent the welcome email to ada@example.com");
    }

    private static Map<String, String> onPostgres(PostgresFixture postgres) {
        return Map.of("DATABASE_URL", postgres.serverUrl(), "JOB_RUNNER_DB_SCHEMA", postgres.schema());
    }

    @Test
    void theSqsCommandsRunTheDemoOnAWorkerWithTheEmbeddedStore() throws Exception {
        sqsCommandsRunTheDemo(Map.of());
        assertThat(Files.readString(directory.resolve(".jobrunner/dev.env"))).contains("JOB_RUNNER_ALLOW_EMBEDDED_STORE=true");
        assertThat(directory.resolve(".jobrunner/job-requests.db")).exists();
    }

    @Test
    void theSqsCommandsRunTheDemoOnAWorkerWithPostgres() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(LocalDevIT.class)) {
            sqsCommandsRunTheDemo(onPostgres(postgres));
            assertThat(log("demo")).contains("PostgreSQL");
            stopProcesses();
            started.clear();
        }
    }

    @Test
    void theLambdaCommandsRunTheDemoInTheLocalFunctionWithTheEmbeddedStore() throws Exception {
        lambdaCommandsRunTheDemo(Map.of());
        assertThat(directory.resolve(".jobrunner/job-requests.db")).exists();
    }

    @Test
    void theLambdaCommandsRunTheDemoInTheLocalFunctionOnPostgres() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(LocalDevIT.class)) {
            lambdaCommandsRunTheDemo(onPostgres(postgres));
            assertThat(Files.readString(directory.resolve(".jobrunner/dev.env"))).doesNotContain("ALLOW_EMBEDDED_STORE");
            assertThat(log("demo")).contains("PostgreSQL");
            stopProcesses();
            started.clear();
        }
    }
}
