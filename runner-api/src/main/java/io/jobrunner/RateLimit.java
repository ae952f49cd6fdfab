package io.jobrunner;

import java.time.Duration;

/**
 * At most {@code starts} attempts of a job type (or of one of its concurrency keys) started in any
 * window of {@code per}, across every process sharing the store ({@link JobPolicy.Builder#rateLimit}).
 * Immutable.
 *
 * @param starts attempts that may start in any window of {@code per}, at least 1
 * @param per    the window, from one second to one day
 */
public record RateLimit(int starts, Duration per) {

    /** Longest window a rate limit may have. */
    public static final Duration MAX_PERIOD = Duration.ofDays(1);

    public RateLimit {
        if (starts < 1) {
            throw new IllegalArgumentException("A rate limit must allow at least 1 start per period, got " + starts
                    + "; leave it unset for no limit");
        }
        if (per == null || per.compareTo(Duration.ofSeconds(1)) < 0 || per.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("A rate limit's period must be from 1 s to 1 day, got " + per
                    + " (e.g. Duration.ofMinutes(1) for " + starts + " per minute)");
        }
    }

    /** "100 per PT1M". */
    @Override
    public String toString() {
        return starts + " per " + per;
    }
}
