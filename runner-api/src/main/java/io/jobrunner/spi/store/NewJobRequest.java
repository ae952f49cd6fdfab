package io.jobrunner.spi.store;

import java.time.Instant;

/**
 * A request about to be stored: what {@link JobRequestStore#insert} takes. Immutable.
 *
 * @param runAt         {@code null} for now
 * @param handOffTarget where the runner hands it off (a queue URL, a function name), or {@code null}
 * @param handedOff     true when the caller hands it off right after the insert (stored as handed off now)
 */
public record NewJobRequest(String jobType, String queueName, String payloadJson, String dedupKey, Instant runAt,
                            int maxAttempts, String runner, String handOffTarget, boolean handedOff) {

    /** A request with no hand-off: run by the process that stores it, or claimed from the store. */
    public NewJobRequest(String jobType, String queueName, String payloadJson, String dedupKey, Instant runAt,
                         int maxAttempts, String runner) {
        this(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, null, false);
    }

    /** This request, to be handed off to {@code target}; stored as handed off at insert when {@code handedOff}. */
    public NewJobRequest withHandOff(String target, boolean handedOff) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, target, handedOff);
    }

    public NewJobRequest {
        if (jobType == null || jobType.isBlank()) {
            throw new IllegalArgumentException("Job type must not be blank");
        }
        if (payloadJson == null) {
            throw new IllegalArgumentException("Payload JSON must not be null; use \"null\" for no payload (job type: "
                    + jobType + ")");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("Max attempts must be at least 1, got " + maxAttempts
                    + " (job type: " + jobType + ")");
        }
    }
}
