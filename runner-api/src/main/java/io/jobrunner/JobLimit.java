package io.jobrunner;

import java.time.Instant;

/**
 * The fleet-wide limits of a job type, as its handler's {@link JobPolicy} declares them and the
 * store keeps them for every process ({@link JobRequests#limits()}). Immutable.
 *
 * @param jobType          the job type
 * @param maxRunning       most of its jobs running at once, 0 for no limit
 * @param maxRunningPerKey most of its jobs with one concurrency key running at once, 0 for no limit
 * @param running          how many of its jobs run now (0 where the limits are being defined)
 * @param rateLimit        most of its attempts started in any window of a period, or {@code null}
 * @param rateLimitPerKey  the same for each concurrency key, or {@code null}
 * @param startedInWindow  attempts started within the last {@code rateLimit} period (0 without one)
 * @param nextStartAt      when the type-wide rate limit next lets an attempt start, while it is reached;
 *                         {@code null} when one may start now or there is no rate limit
 */
public record JobLimit(String jobType, int maxRunning, int maxRunningPerKey, long running, RateLimit rateLimit,
                       RateLimit rateLimitPerKey, long startedInWindow, Instant nextStartAt) {

    /** Concurrency limits only. */
    public JobLimit(String jobType, int maxRunning, int maxRunningPerKey, long running) {
        this(jobType, maxRunning, maxRunningPerKey, running, null, null, 0, null);
    }

    /** The limits a policy declares for a type (none: which removes a stored limit). */
    public static JobLimit of(String jobType, JobPolicy policy) {
        return new JobLimit(jobType, policy.maxRunning(), policy.maxRunningPerKey(), 0, policy.rateLimit(),
                policy.rateLimitPerKey(), 0, null);
    }

    /**
     * Of these limits, the one of {@code jobType} while its rate limit is reached (its
     * {@link #nextStartAt()} says when a job of the type may start); empty when a job may start now.
     */
    public static java.util.Optional<JobLimit> rateReached(java.util.List<JobLimit> limits, String jobType) {
        return limits.stream().filter(limit -> limit.jobType().equals(jobType) && limit.nextStartAt() != null).findFirst();
    }

    /** True when any limit is set. */
    public boolean limited() {
        return maxRunning > 0 || maxRunningPerKey > 0 || rateLimit != null || rateLimitPerKey != null;
    }
}
