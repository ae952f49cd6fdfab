package io.jobrunner.internal;

import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;

/**
 * How one attempt of a job ended, as recorded in the store. Immutable.
 *
 * @param result  what happened
 * @param request the request as the store recorded it, or {@code null} when the lease was lost
 */
public record ExecutionOutcome(Result result, JobRequest request) {

    /** The outcome as {@link JobListener}s are told it. */
    public JobListener.Outcome listenerOutcome() {
        return switch (result) {
            case SUCCEEDED -> JobListener.Outcome.SUCCEEDED;
            case RETRY_SCHEDULED -> JobListener.Outcome.RETRIED;
            case FAILED -> JobListener.Outcome.FAILED;
            case CANCELLED -> JobListener.Outcome.CANCELLED;
            case RELEASED -> JobListener.Outcome.RELEASED;
            case LEASE_LOST -> JobListener.Outcome.LEASE_LOST;
        };
    }

    public enum Result {
        SUCCEEDED,
        /** Failed with attempts left; the request is queued again at its new run-at. */
        RETRY_SCHEDULED,
        FAILED,
        CANCELLED,
        /** Interrupted because the worker is shutting down; back in the queue, the attempt not counted. */
        RELEASED,
        /** The lease was no longer held when the attempt ended (it expired and another worker took over). */
        LEASE_LOST
    }
}
