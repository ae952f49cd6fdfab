package io.jobrunner;

/**
 * The fleet-wide concurrency limits of a job type, as its handler's {@link JobPolicy} declares them
 * and the store keeps them for every process ({@link JobRequests#limits()}). Immutable.
 *
 * @param jobType          the job type
 * @param maxRunning       most of its jobs running at once, 0 for no limit
 * @param maxRunningPerKey most of its jobs with one concurrency key running at once, 0 for no limit
 * @param running          how many of its jobs run now (0 where the limits are being defined)
 */
public record JobLimit(String jobType, int maxRunning, int maxRunningPerKey, long running) {

    /** The limits a policy declares for a type ({@code 0, 0}: none, which removes a stored limit). */
    public static JobLimit of(String jobType, JobPolicy policy) {
        return new JobLimit(jobType, policy.maxRunning(), policy.maxRunningPerKey(), 0);
    }

    /** True when either limit is set. */
    public boolean limited() {
        return maxRunning > 0 || maxRunningPerKey > 0;
    }
}
