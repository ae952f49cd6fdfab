package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;
import java.util.Set;

/**
 * Which requests {@link JobRequestStore#claimNext} may take. Immutable.
 *
 * @param jobTypes  job types this worker can run (empty: any)
 * @param queueNames queues to take from (empty: any queue, and requests with none)
 * @param runner    only requests dispatched by this runner, or {@code null} for any
 */
public record ClaimFilter(Set<String> jobTypes, Set<String> queueNames, String runner) {
    public ClaimFilter {
        jobTypes = jobTypes == null ? Set.of() : Set.copyOf(jobTypes);
        queueNames = queueNames == null ? Set.of() : Set.copyOf(queueNames);
    }

    public static ClaimFilter any() {
        return new ClaimFilter(Set.of(), Set.of(), null);
    }

    public boolean matches(JobRequest request) {
        return (jobTypes.isEmpty() || jobTypes.contains(request.jobType()))
                && (queueNames.isEmpty() || request.queueName() != null && queueNames.contains(request.queueName()))
                && (runner == null || runner.equals(request.runner()));
    }
}
