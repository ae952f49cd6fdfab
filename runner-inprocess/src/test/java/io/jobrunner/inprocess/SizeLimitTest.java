package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadTooLargeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jobs have size limits like tasks: a payload over its limit is refused at dispatch, a result over its limit fails the attempt. */
class SizeLimitTest {

    private static JobRunner runner() {
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("echo", String.class, (text, context) -> text))
                .job(JobHandler.of("repeat", Integer.class, (times, context) -> "x".repeat(times)))
                .build();
        return JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-sync", "JOB_RUNNER_STORE", "memory",
                "JOB_RUNNER_MAX_JOB_PAYLOAD_BYTES", "100", "JOB_RUNNER_MAX_RESULT_BYTES", "100")).handlers(handlers).build();
    }

    @Test
    void aJobPayloadOverItsLimitIsRefusedAtDispatchNamingTheLimitAndNothingIsStored() {
        try (JobRunner runner = runner()) {
            assertThatThrownBy(() -> runner.dispatchJob(JobData.of("echo", "é".repeat(60))))
                    .isInstanceOf(PayloadTooLargeException.class)
                    .hasMessageContaining("'echo'").hasMessageContaining("122 bytes")
                    .hasMessageContaining("JOB_RUNNER_MAX_JOB_PAYLOAD_BYTES");
            assertThat(runner.jobs().list(JobQuery.all())).isEmpty();
            assertThat(runner.dispatchJob(JobData.of("echo", "small")).status()).isEqualTo(JobStatus.SUCCEEDED);
        }
    }

    @Test
    void aResultOverItsLimitFailsTheAttemptSayingSoAndIsNotStored() {
        try (JobRunner runner = runner()) {
            JobRequest failed = runner.dispatchJob(JobData.of("repeat", 200));
            assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
            assertThat(failed.resultJson()).isNull();
            assertThat(failed.lastError()).contains("202 bytes").contains("JOB_RUNNER_MAX_RESULT_BYTES");
            assertThat(runner.dispatchJob(JobData.of("repeat", 10)).status()).isEqualTo(JobStatus.SUCCEEDED);
        }
    }
}
