package io.jobrunner;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The job requests of a runner's store, as an application (and an operator's tool) sees them:
 * look them up, list and count them, cancel, retry and purge them, and wait for one to finish.
 * Obtained from {@link JobRunner#jobs()}; it reads the shared store, so it sees every process's
 * jobs and works after a restart. Thread-safe.
 */
public interface JobRequests {

    Optional<JobRequest> find(long id);

    Optional<JobRequest> findByDedupKey(String dedupKey);

    /** One page of requests matching the query, in id order; page on with {@link JobQuery#after(long)}. */
    List<JobRequest> list(JobQuery query);

    /** The lines the request's handler wrote with {@link JobContext#log}; empty for an unknown id. */
    JobLog log(long id);

    /** How many requests match the query's filters (its page, after-id and limit, is ignored). */
    long count(JobQuery query);

    /** How many requests there are, by status and by job type. */
    JobCounts counts();

    /** Requests finished per minute since {@code since}, oldest minute first; minutes with none are left out. */
    List<JobThroughput> finishedPerMinute(Instant since);

    /**
     * Asks to cancel: a queued request is cancelled at once and never runs; a running one is flagged,
     * its handler sees {@link JobContext#isCancelled()}, and it ends {@code cancelled} when the
     * handler returns.
     *
     * @return the request after the call, empty when it is unknown or already finished
     */
    Optional<JobRequest> cancel(long id);

    /**
     * Runs a failed or cancelled request again: queued with its history kept and as many attempts
     * again as it had, then handed off like a new dispatch.
     *
     * @return the request as queued (for {@code inprocess-sync}, as it stands after the run); empty
     *         when it is not failed or cancelled
     */
    Optional<JobRequest> retry(long id);

    /** Deletes requests that finished (succeeded, failed or cancelled) more than {@code olderThan} ago; returns how many. */
    int purgeFinished(Duration olderThan);

    /**
     * Waits until the request is finished.
     *
     * @return the finished request, or empty when the timeout passed first
     * @throws JobStoreException when no request has that id
     */
    default Optional<JobRequest> await(long id, Duration timeout) {
        return JobAwaiter.await(() -> find(id), "id " + id, timeout);
    }

    /** {@link #await(long, Duration)} for the request stored under a dedup key. */
    default Optional<JobRequest> await(String dedupKey, Duration timeout) {
        return JobAwaiter.await(() -> findByDedupKey(dedupKey), "dedup key '" + dedupKey + "'", timeout);
    }

    /**
     * Pauses a queue or a job type for every process sharing the store: its queued jobs are not
     * started until {@link #resume(Pause)}, new ones are stored queued, running ones finish.
     *
     * @return false when it was paused already
     */
    boolean pause(Pause pause);

    /**
     * Ends a pause: the held jobs are started as workers claim them, in their usual order.
     *
     * @return false when it was not paused
     */
    boolean resume(Pause pause);

    /** The pauses in force, queues first, each with the queued jobs it holds back. */
    List<PausedWork> paused();

    /** The job types with a fleet-wide concurrency limit, by type, each with how many of its jobs run now. */
    List<JobLimit> limits();

    /** The ids of the jobs the request runs after ({@link JobData.Builder#after}), in id order; empty without. */
    default List<Long> dependencies(long id) {
        return List.of();
    }

    /** A batch's progress ({@link JobRunner#dispatchBatch}): its members by outcome and its callbacks; empty for an unknown id. */
    default Optional<BatchProgress> batch(long id) {
        return Optional.empty();
    }

    /** Where the requests are kept, e.g. "PostgreSQL at db:5432/jobs". */
    String description();

    /**
     * The workers registered in the store — database and SQS workers, live or lately seen — by
     * runner and id. Empty for a store that keeps no registry.
     */
    default List<JobWorker> workers() {
        return List.of();
    }
}
