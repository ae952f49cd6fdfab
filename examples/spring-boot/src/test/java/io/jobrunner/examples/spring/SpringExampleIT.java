package io.jobrunner.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.testkit.DocBlocks;
import io.jobrunner.testkit.PostgresFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example application's blocks of docs/spring-boot.md, read from the page and run as the
 * processes a user starts in separate shells, on PostgreSQL: the order placed over HTTP is shipped
 * once, by the process the block says.
 */
class SpringExampleIT {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern ORDER_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    @TempDir
    Path logs;
    private final List<Process> started = new ArrayList<>();
    private PostgresFixture postgres;
    private int port;

    @BeforeEach
    void database() throws IOException {
        postgres = PostgresFixture.forTestClass(SpringExampleIT.class);
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : started) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        postgres.close();
    }

    /** The commands under {@code # terminal N} comments of the page's block after the marker. */
    private static List<String> commands(String marker) throws IOException {
        return DocBlocks.terminalCommands(ROOT.resolve("docs/spring-boot.md"), "<!-- spring-example: " + marker + " -->");
    }

    private Process shell(String command, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("JOB_RUNNER") || key.startsWith("JOBRUNNER")
                || key.equals("DATABASE_URL") || key.startsWith("SPRING_"));
        builder.environment().putAll(Map.of("ORDERS_DB_URL", postgres.jdbcUrl(), "PORT", Integer.toString(port)));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private String log(String name) throws IOException {
        Path file = logs.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private void awaitLog(String name, Process process, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!log(name).contains(line)) {
            assertThat(process.isAlive()).as(name + " is running:\n" + log(name)).isTrue();
            assertThat(System.nanoTime()).as(name + " logged '" + line + "':\n" + log(name)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Runs the curl command, then reads the order until its job finished; returns the order's JSON. */
    private String placeAndAwaitShipped(String curl) throws Exception {
        Process placing = shell(curl, "curl");
        assertThat(placing.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher id = ORDER_ID.matcher(log("curl"));
        assertThat(id.find()).as("the order placed: " + log("curl")).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        URI order = URI.create("http://localhost:" + port + "/orders/" + id.group(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String body = http.send(HttpRequest.newBuilder(order).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"shippingJob\":\"succeeded\"") || body.contains("\"shippingJob\":\"failed\"")) {
                return body;
            }
            assertThat(System.nanoTime()).as("the order was shipped: " + body).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void inProcessTheOrdersJobRunsInTheApplicationAfterItsTransactionCommitted() throws Exception {
        List<String> commands = commands("in-process");
        assertThat(commands).hasSize(2);
        Process application = shell(commands.get(0), "application");
        awaitLog("application", application, "Started OrdersApplication");

        String order = placeAndAwaitShipped(commands.get(1));

        assertThat(order).contains("\"shippingJob\":\"succeeded\"", "\"item\":\"a chair\"", "\"shippedBy\":\"inprocess-async");
        assertThat(log("application")).containsOnlyOnce("Shipped order");
        String health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(health).contains("\"jobRunner\"", "\"status\":\"UP\"");
    }

    @Test
    void theSameJarRunsAsWebApplicationAndAsDatabaseWorkerByProfile() throws Exception {
        List<String> commands = commands("database-worker");
        assertThat(commands).hasSize(3);
        Process application = shell(commands.get(0), "application");
        awaitLog("application", application, "Started OrdersApplication");
        Process worker = shell(commands.get(1), "worker");
        awaitLog("worker", worker, "Started OrdersApplication");

        String order = placeAndAwaitShipped(commands.get(2));

        assertThat(order).contains("\"shippingJob\":\"succeeded\"", "\"item\":\"a lamp\"", "\"shippedBy\":\"db-worker");
        assertThat(log("worker")).containsOnlyOnce("Shipped order");
        assertThat(log("application")).doesNotContain("Shipped order");
    }
}
