package io.jobrunner.internal;

import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;

/**
 * How one attempt of a job ended, as recorded in the store, and as {@link JobListener}s are told it.
 * Immutable.
 *
 * @param result  what happened
 * @param request the request as the store recorded it, or {@code null} when the lease was lost
 */
public record ExecutionOutcome(JobListener.Outcome result, JobRequest request) {
}
