package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;

/**
 * The outcome of {@link JobRequestStore#insert}: the stored request, and what the call did with it.
 * Immutable.
 */
public record InsertResult(JobRequest request, Outcome outcome) {

    public enum Outcome {
        /** A new request was stored. */
        CREATED,
        /** A request with the dedup key is queued, running or succeeded: it is returned unchanged. */
        EXISTING,
        /** The request with the dedup key had failed or was cancelled: it is queued again, its history kept. */
        REQUEUED
    }

    public boolean created() {
        return outcome == Outcome.CREATED;
    }

    /** True when the request is queued by this call and must be handed to its transport. */
    public boolean needsHandOff() {
        return outcome != Outcome.EXISTING;
    }
}
