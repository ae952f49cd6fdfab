package io.jobrunner;

/**
 * Hands off background work; where it runs depends on the runner chosen by {@code JOB_RUNNER}.
 *
 * <p>Obtain one with {@link JobRunners#fromEnvironment()}. Implementations are thread-safe:
 * one runner serves the whole application. Close it at shutdown to drain or release work.
 */
public interface JobRunner extends AutoCloseable {

    /** The runner's name, e.g. {@code "inprocess-async"}. */
    String name();

    /** True when every setting the runner needs is present. Cheap: no network I/O. */
    boolean fullyConfigured();

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

    /** The store holding this runner's job requests, to read, list, cancel or purge them. */
    JobRequestStore store();

    /** Stops accepting work and drains or releases what is in flight, as each runner documents. */
    @Override
    void close();
}
