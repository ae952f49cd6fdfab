package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;
import java.util.Set;

/**
 * Which requests {@link JobRequestStore#claimNext} may take. Immutable.
 *
 * @param jobTypes  job types this worker can run (empty: any)
 * @param queueName queue to take from, or {@code null} for any
 * @param runner    only requests dispatched by this runner, or {@code null} for any
 */
public record ClaimFilter(Set<String> jobTypes, String queueName, String runner) {
    public ClaimFilter {
        jobTypes = jobTypes == null ? Set.of() : Set.copyOf(jobTypes);
    }

    public static ClaimFilter any() {
        return new ClaimFilter(Set.of(), null, null);
    }

    public boolean matches(JobRequest request) {
        return (jobTypes.isEmpty() || jobTypes.contains(request.jobType()))
                && (queueName == null || queueName.equals(request.queueName()))
                && (runner == null || runner.equals(request.runner()));
    }
}
