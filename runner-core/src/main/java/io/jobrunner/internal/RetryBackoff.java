package io.jobrunner.internal;

import io.jobrunner.JobRunnerConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * {@code min(max, base * 2^(n-1))}. Immutable and thread-safe.
 */
public record RetryBackoff(Duration base, Duration max) {

    public RetryBackoff {
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("Retry backoff needs 0 <= base <= max, got base " + base + ", max " + max);
        }
    }

    /** The backoff a configuration sets ({@code JOB_RUNNER_RETRY_BASE_DELAY}, {@code JOB_RUNNER_RETRY_MAX_DELAY}). */
    public static RetryBackoff of(JobRunnerConfig config) {
        return new RetryBackoff(config.retryBaseDelay(), config.retryMaxDelay());
    }

    /** The delay before the attempt after {@code failedAttempt} (1 for the first failure). */
    public Duration delayAfter(int failedAttempt) {
        long baseMillis = base.toMillis();
        int shift = Math.min(Math.max(failedAttempt - 1, 0), 30);
        long ceiling = Math.min(max.toMillis(), baseMillis << shift < 0 ? Long.MAX_VALUE : baseMillis << shift);
        if (ceiling <= 1) {
            return Duration.ofMillis(ceiling);
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }
}
