package io.jobrunner;

import java.time.Duration;

/**
 * Told what happens to jobs in this process: dispatches, attempts starting and ending, runners and
 * workers starting. Metrics hang off it ({@code JobRunnerMetrics} in {@code jobrunner-micrometer});
 * so can an application's own hooks. Register with {@link JobRunners.Builder#listener}.
 *
 * <p>Calls come on the threads doing the work, so a listener must be quick and thread-safe; an
 * exception it throws is logged and never affects the job. Every method does nothing by default.
 */
public interface JobListener {

    /** How an attempt ended, as stored. */
    enum Outcome {
        SUCCEEDED,
        /** Failed (or timed out) with attempts left: queued again for a later attempt. */
        RETRIED,
        /** Failed (or timed out) for good. */
        FAILED,
        CANCELLED,
        /** Stopped by the worker's shutdown and put back in the queue, the attempt not counted. */
        RELEASED,
        /** Its lease had expired and another worker had taken the request; nothing was recorded. */
        LEASE_LOST
    }

    /** A runner or a worker of {@code runner} was built in this process over {@code jobs}. */
    default void opened(String runner, JobRequests jobs) {
    }

    /** {@code count} new requests of {@code jobType} were stored by {@code runner} (a dedup hit is not one). */
    default void dispatched(String runner, String jobType, int count) {
    }

    /**
     * An attempt is about to run, {@code waited} after the request became due (its dispatch, its
     * run-at, or its retry time).
     */
    default void attemptStarted(JobRequest request, Duration waited) {
    }

    /**
     * An attempt ended and its outcome is stored.
     *
     * @param request  the request as claimed for this attempt (its {@code runner} says how it was dispatched)
     * @param outcome  how it ended
     * @param timedOut whether the attempt ran past its policy's timeout
     * @param ran      how long the attempt took, outcome stored
     */
    default void attemptEnded(JobRequest request, Outcome outcome, boolean timedOut, Duration ran) {
    }

    /** A worker started; {@code stats} can be read at any time while it runs. */
    default void workerStarted(WorkerStats stats) {
    }
}
