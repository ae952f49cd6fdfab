package io.jobrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command run as a process against the embedded store while an application holds it open and runs jobs. */
class EmbeddedCliTest {

    private static final Pattern DASHBOARD_ON = Pattern.compile("Dashboard on (http://\\S+/) over");

    @Test
    void listShowStatsAndRetryWorkWhileTheApplicationHoldsTheStoreOpen(@TempDir Path directory) throws Exception {
        Map<String, String> store = Map.of("JOB_RUNNER_EMBEDDED_DIR", directory.toString());
        try (JobRunner application = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "inprocess-async", "JOB_RUNNER_EMBEDDED_DIR", directory.toString(),
                        "JOB_RUNNER_RECOVERY_INTERVAL", "200ms"))
                .handlers(HandlerRegistry.builder().job(new DoubleJob()).build())
                .build()) {
            JobRequest doubled = application.dispatchJob(JobData.of(DoubleJob.TYPE, 4));
            JobRequest failing = application.dispatchJob(JobData.builder(DoubleJob.TYPE).payload(-3).maxAttempts(1).build());
            assertThat(application.jobs().await(doubled.id(), Duration.ofSeconds(10))).map(JobRequest::status)
                    .contains(JobStatus.SUCCEEDED);
            assertThat(application.jobs().await(failing.id(), Duration.ofSeconds(10))).map(JobRequest::status)
                    .contains(JobStatus.FAILED);

            CliProcess.Result list = CliProcess.run(store, "list");
            assertThat(list.exitCode()).as(list.toString()).isZero();
            assertThat(list.out()).contains(doubled.id() + "   succeeded", "cannot double <b>-3</b>");
            assertThat(list.err()).as("a command prints no INFO log lines").doesNotContain("INFO");

            CliProcess.Result shown = CliProcess.run(store, "show", String.valueOf(doubled.id()));
            assertThat(shown.out()).contains("result     8", "runner     inprocess-async", "log:", "#1  INFO   doubling 4");
            JsonNode shownJson = new ObjectMapper().readTree(CliProcess.run(store, "show", String.valueOf(failing.id()),
                    "--json").out());
            assertThat(shownJson.get("log").get("lines").get(0).get("message").asText()).isEqualTo("doubling -3");

            JsonNode stats = new ObjectMapper().readTree(CliProcess.run(store, "stats", "--json").out());
            assertThat(stats.get("byStatus").get("succeeded").asLong()).isEqualTo(1);
            assertThat(stats.get("failedLastHour").asLong()).isEqualTo(1);

            dashboardServesTheStoreTheApplicationHoldsOpen(store, failing);

            CliProcess.Result retried = CliProcess.run(store, "retry", String.valueOf(failing.id()));
            assertThat(retried.exitCode()).as(retried.toString()).isZero();
            // The application's own worker takes the request queued again at its next poll, and it fails again.
            JobRequest again = application.jobs().await(failing.id(), Duration.ofSeconds(10)).orElseThrow();
            assertThat(again.status()).isEqualTo(JobStatus.FAILED);
            assertThat(again.history()).hasSize(2);
        }
    }

    @Test
    void checkPassesAHealthyStoreAndNamesARowWhoseBytesWereOverwritten(@TempDir Path directory) throws Exception {
        Map<String, String> store = Map.of("JOB_RUNNER_EMBEDDED_DIR", directory.toString());
        long failedId;
        try (JobRunner application = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "inprocess-sync", "JOB_RUNNER_EMBEDDED_DIR", directory.toString()))
                .handlers(HandlerRegistry.builder().job(new DoubleJob()).build())
                .build()) {
            application.dispatchJob(JobData.of(DoubleJob.TYPE, 4));
            failedId = application.dispatchJob(JobData.builder(DoubleJob.TYPE).payload(-3).maxAttempts(1).build()).id();
        }
        CliProcess.Result healthy = CliProcess.run(store, "check");
        assertThat(healthy.exitCode()).as(healthy.toString()).isZero();
        assertThat(healthy.out()).contains("integrity_check", "2 job requests read whole", "No problems found.");

        Path file = directory.resolve("job-requests.db");
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String damaged = text.replace("\"outcome\":\"failed\"", "\"outcome\":\"fXiled\"");
        assertThat(damaged).isNotEqualTo(text);
        Files.write(file, damaged.getBytes(StandardCharsets.ISO_8859_1));

        CliProcess.Result check = CliProcess.run(store, "check");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(1);
        assertThat(check.out()).contains("2 problems:", "job_request row " + failedId + " cannot be read",
                "sqlite3 " + file + " .recover");
        CliProcess.Result list = CliProcess.run(store, "list");
        assertThat(list.exitCode()).as(list.toString()).isEqualTo(1);
        assertThat(list.err()).contains("job_request row " + failedId + " cannot be read", "jobrunner check");
    }

    /** {@code jobrunner dashboard} on a free port: its pages and API read what the application stored. */
    private static void dashboardServesTheStoreTheApplicationHoldsOpen(Map<String, String> store, JobRequest failing)
            throws Exception {
        CliProcess dashboard = CliProcess.start(store, "dashboard", "--port", "0");
        try {
            Matcher started = Await.value("the dashboard's address", Duration.ofSeconds(30), () -> {
                try {
                    return DASHBOARD_ON.matcher(dashboard.output());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Matcher::find);
            URI base = URI.create(started.group(1));
            assertThat(base.getHost()).as("loopback by default").isEqualTo("127.0.0.1");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> job = http.send(HttpRequest.newBuilder(base.resolve("/api/jobs/" + failing.id())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(job.statusCode()).isEqualTo(200);
            JsonNode json = new ObjectMapper().readTree(job.body());
            assertThat(json.get("status").asText()).isEqualTo("failed");
            assertThat(json.get("log").get("lines").get(0).get("message").asText()).isEqualTo("doubling -3");
            HttpResponse<String> failed = http.send(HttpRequest.newBuilder(base.resolve("/failed")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(failed.body()).contains("href=\"/jobs/" + failing.id() + "\"", "cannot double &lt;b&gt;-3&lt;/b&gt;");
        } finally {
            int exit = dashboard.terminate();
            assertThat(exit).as(dashboard.output()).isIn(0, 143);
        }
    }
}
