package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void backoffGrowsExponentiallyWithJitterUnderItsCap() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 50; i++) {
            assertThat(backoff.delayAfter(1).toMillis()).isBetween(50L, 100L);
            assertThat(backoff.delayAfter(3).toMillis()).isBetween(200L, 400L);
            assertThat(backoff.delayAfter(20).toMillis()).isBetween(500L, 1000L);
        }
    }
}
