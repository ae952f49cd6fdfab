package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import java.util.Optional;

/**
 * The right to change a running {@link JobRequest}: the worker that claimed it, for one attempt.
 *
 * <p>Every store transition out of {@code running} is conditional on the lease, so a worker whose
 * lease expired and whose request was claimed again by another worker can no longer change it.
 * Immutable and thread-safe.
 *
 * @param jobId   the request's id
 * @param owner   the worker id that claimed it
 * @param attempt the attempt number the claim started (1 for the first)
 */
public record Lease(long jobId, String owner, int attempt) {
    public Lease {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("Lease owner must not be blank (job id: " + jobId + ")");
        }
    }

    /** The lease a request is held under, as read: present only while it is running. */
    public static Optional<Lease> of(JobRequest request) {
        return request.status() == JobStatus.RUNNING && request.lockedBy() != null
                ? Optional.of(new Lease(request.id(), request.lockedBy(), request.attempts()))
                : Optional.empty();
    }
}
