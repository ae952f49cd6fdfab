package io.jobrunner.internal;

import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;

/**
 * How one attempt of a job ended, as recorded in the store, and as {@link JobListener}s are told it.
 * Immutable.
 *
 * @param result  what happened
 * @param request the request as the store recorded it, or {@code null} when the lease was lost
 * @param next    the job of the same type its success handed its place to, claimed for this worker, or {@code null}
 */
public record ExecutionOutcome(JobListener.Outcome result, JobRequest request, JobRequest next) {

    public ExecutionOutcome(JobListener.Outcome result, JobRequest request) {
        this(result, request, null);
    }
}
