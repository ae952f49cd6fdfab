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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command run as a process against the embedded store while an application holds it open and runs jobs. */
class EmbeddedCliTest {

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

            CliProcess.Result retried = CliProcess.run(store, "retry", String.valueOf(failing.id()));
            assertThat(retried.exitCode()).as(retried.toString()).isZero();
            // The application's own worker takes the request queued again at its next poll, and it fails again.
            JobRequest again = application.jobs().await(failing.id(), Duration.ofSeconds(10)).orElseThrow();
            assertThat(again.status()).isEqualTo(JobStatus.FAILED);
            assertThat(again.history()).hasSize(2);
        }
    }
}
