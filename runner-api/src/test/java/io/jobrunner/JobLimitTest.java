package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobLimitTest {

    @Test
    void theRateReachedIsTheTypesLimitWhileItHasANextStartAndNoneOtherwise() {
        RateLimit rate = new RateLimit(2, Duration.ofMinutes(1));
        Instant next = Instant.parse("2026-12-06T06:00:00Z");
        JobLimit reached = new JobLimit("sync", 0, 0, 0, rate, null, 2, next);
        JobLimit open = new JobLimit("mail", 0, 0, 0, rate, null, 1, null);
        List<JobLimit> limits = List.of(open, reached, new JobLimit("resize", 4, 0, 4));

        assertThat(JobLimit.rateReached(limits, "sync")).contains(reached);
        assertThat(JobLimit.rateReached(limits, "mail")).as("a start is left in the window").isEmpty();
        assertThat(JobLimit.rateReached(limits, "resize")).as("no rate limit").isEmpty();
        assertThat(JobLimit.rateReached(limits, "unknown")).isEmpty();
    }
}
