package io.jobrunner;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Hands off background work; where it runs depends on the runner chosen by {@code JOB_RUNNER}.
 *
 * <p>Obtain one with {@link JobRunners#fromEnvironment()}. Implementations are thread-safe:
 * one runner serves the whole application. Close it at shutdown to drain or release work.
 */
public interface JobRunner extends AutoCloseable {

    /** The runner's name, e.g. {@code "inprocess-async"}. */
    String name();

    /**
     * True while the runner can take work: open, with every setting and resource it needs known to be
     * present (a store, for a runner that stores jobs). Cheap: no network I/O. False once closed.
     */
    boolean fullyConfigured();

    /**
     * Checks, with a round trip each, what the runner needs to take work: the store answers, and
     * the queue or function it hands work to exists and answers. For health endpoints; not for every
     * dispatch. Never throws: a failure is a problem in the answer.
     */
    default Readiness readiness() {
        return fullyConfigured() ? Readiness.READY : Readiness.of(List.of("runner '" + name()
                + "' is closed or not fully configured"));
    }

    /**
     * Runs light fire-and-forget work. Nothing is stored: if the process that holds the task dies
     * before it ran, the task is gone (see the README's guarantees per runner).
     *
     * @throws UnknownHandlerException   when this process knows its handlers and none has that name
     * @throws PayloadException          when the payload cannot be serialized or exceeds the task size limit
     * @throws DispatchRejectedException when the runner is closed or stays full past the dispatch timeout
     */
    void dispatchTask(String taskName, Object payload);

    /**
     * Stores a {@link JobRequest} for the job, then hands it off. With a dedup key that is already
     * stored, returns the stored request and runs nothing.
     *
     * @return the request as stored (for {@code inprocess-sync}, as it stands after the run)
     * @throws UnknownHandlerException when this process knows its handlers and none has that type
     * @throws PayloadException        when the payload cannot be serialized
     */
    JobRequest dispatchJob(JobData data);

    /**
     * Stores a {@link JobRequest} through the caller's JDBC connection, inside the caller's open
     * transaction, and hands nothing off: the request commits or rolls back with the caller's own
     * changes. After the commit, call {@link #handOff} with it (or leave it to the workers' sweep,
     * which hands off committed requests that were not). {@link #inTransaction} does both.
     * Needs the PostgreSQL store, on the database the connection reaches.
     *
     * @throws JobStoreException when the store cannot join a database transaction, or the insert fails
     */
    JobRequest dispatchJob(Connection connection, JobData data);

    /**
     * Hands off requests stored by {@link #dispatchJob(Connection, JobData)} once their transaction
     * has committed: sends their messages or invocations, or runs them in-process. Requests already
     * handed off, finished or unknown are skipped.
     */
    void handOff(Collection<JobRequest> requests);

    /**
     * Runs {@code work} in a transaction on the caller's connection: jobs it dispatches through the
     * {@link JobTransaction} commit or roll back with the caller's own statements, and are handed
     * off only after the commit. An exception from the work rolls everything back, hands nothing
     * off, and is thrown on (an {@link java.sql.SQLException} wrapped in a {@link JobStoreException}).
     */
    default <T> T inTransaction(Connection connection, JobTransaction.Work<T> work) {
        return JobTransaction.run(this, connection, work);
    }

    /**
     * Dispatches many tasks of one name. Runners with a batch transport (SQS) send them in batches;
     * the others dispatch them one by one. Every payload is checked before any is sent.
     *
     * @throws BulkDispatchException naming each entry that was not sent
     */
    default void dispatchTasks(String taskName, List<?> payloads) {
        for (Object payload : payloads) {
            dispatchTask(taskName, payload);
        }
    }

    /**
     * Dispatches many jobs: each is stored, then handed off (in batches where the transport has
     * them). Returns the requests in the order given. A job whose hand-off failed is stored and is
     * handed off again by the workers' sweep, so it is never lost.
     */
    default List<JobRequest> dispatchJobs(List<JobData> jobs) {
        List<JobRequest> requests = new ArrayList<>(jobs.size());
        for (JobData job : jobs) {
            requests.add(dispatchJob(job));
        }
        return requests;
    }

    /**
     * Dispatches a graph of new jobs in one transaction: each step is stored {@code waiting} until the
     * steps it runs after finished, then queued and handed off by the process where the last of them
     * finished (or by the next hand-off sweep). Returns the requests in step order.
     *
     * @throws IllegalArgumentException when a step names a stored job that does not exist (nothing is stored)
     */
    default List<JobRequest> dispatchGraph(JobGraph graph) {
        throw new UnsupportedOperationException("Runner '" + name() + "' cannot dispatch a graph of jobs");
    }

    /**
     * Dispatches a batch in one transaction: its members queued, its callbacks waiting for every
     * member to finish. Read its progress with {@link JobRequests#batch(long)}.
     */
    default JobBatch.Dispatched dispatchBatch(JobBatch batch) {
        throw new UnsupportedOperationException("Runner '" + name() + "' cannot dispatch a batch of jobs");
    }

    /**
     * The job requests of this runner's store: find, list, count, cancel, retry, purge, await. What
     * an application (and the admin tools) read and act through.
     *
     * @throws JobStoreException from its calls when the runner has no store
     */
    JobRequests jobs();

    /** {@link JobRequests#cancel(long)}. */
    default Optional<JobRequest> cancel(long jobId) {
        return jobs().cancel(jobId);
    }

    /** {@link JobRequests#retry(long)}. */
    default Optional<JobRequest> retry(long jobId) {
        return jobs().retry(jobId);
    }

    /**
     * Waits until the request is finished, reading the store, so it works from any process and
     * after a restart of the one that dispatched it ({@link JobRequests#await(long, Duration)}).
     *
     * @return the finished request, or empty when the timeout passed first
     * @throws JobStoreException when no request has that id
     */
    default Optional<JobRequest> awaitCompletion(long jobId, Duration timeout) {
        return jobs().await(jobId, timeout);
    }

    /** {@link #awaitCompletion(long, Duration)} for the request stored under a dedup key. */
    default Optional<JobRequest> awaitCompletion(String dedupKey, Duration timeout) {
        return jobs().await(dedupKey, timeout);
    }

    /** True when a request is stored under the dedup key and it succeeded. */
    default boolean hasExecutedSuccessfully(String dedupKey) {
        return jobs().findByDedupKey(dedupKey).map(request -> request.status() == JobStatus.SUCCEEDED).orElse(false);
    }

    /**
     * The recurring jobs in this runner's store: define, list, remove, fire what is due. Runners
     * with {@code JOB_RUNNER_SCHEDULER} on fire due occurrences on a timer.
     */
    JobSchedules schedules();

    /** Stops accepting work and drains or releases what is in flight, as each runner documents. */
    @Override
    void close();
}
