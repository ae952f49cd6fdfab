package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.InvalidSettingException;
import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionTest {

    @Test
    void finishedRequestsAreKeptFourteenDaysUnlessToldOtherwise() {
        assertThat(Retention.from(Settings.of(Map.of()))).isEqualTo(new Retention(Duration.ofDays(14), Duration.ofDays(14)));
    }

    @Test
    void eachKindMayHaveItsOwnRetentionAndZeroOrOffKeepsEverything() {
        assertThat(Retention.from(Settings.of(Map.of("JOB_RUNNER_RETENTION", "7d", "JOB_RUNNER_RETENTION_FAILED", "30d"))))
                .isEqualTo(new Retention(Duration.ofDays(7), Duration.ofDays(30)));
        assertThat(Retention.from(Settings.of(Map.of("JOB_RUNNER_RETENTION", "off"))))
                .isEqualTo(new Retention(null, null));
        assertThat(Retention.from(Settings.of(Map.of("JOB_RUNNER_RETENTION_SUCCEEDED", "48h", "JOB_RUNNER_RETENTION_FAILED", "0"))))
                .isEqualTo(new Retention(Duration.ofHours(48), null));
    }

    @Test
    void aValueThatIsNoDurationIsRefusedNamingTheSettingAndWhatItTakes() {
        assertThatThrownBy(() -> Retention.from(Settings.of(Map.of("JOB_RUNNER_RETENTION", "a fortnight"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_RETENTION")
                .hasMessageContaining("a fortnight")
                .hasMessageContaining("0 / off");
        assertThatThrownBy(() -> Retention.from(Settings.of(Map.of("JOB_RUNNER_RETENTION", "off",
                "JOB_RUNNER_RETENTION_SUCCEEDED", "soon"))))
                .as("a bad value under a retention that keeps everything")
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_RETENTION_SUCCEEDED")
                .hasMessageContaining("soon");
    }
}
