package io.jobrunner.inprocess;

import io.jobrunner.InsertResult;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.NewJobRequest;
import io.jobrunner.TaskFailedException;
import io.jobrunner.TaskHandler;
import io.jobrunner.spi.ExecutionOutcome;
import io.jobrunner.spi.JobExecutor;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.RunnerLifecycle;
import io.jobrunner.spi.RunnerSchedules;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Runs tasks and jobs in this process, each kind either on the caller's thread ({@link Mode#SYNC})
 * or on a bounded pool ({@link Mode#ASYNC}). One class serves {@code inprocess-sync},
 * {@code inprocess-async} and Spoke's {@code legacy} mix. Thread-safe.
 */
final class InProcessRunner implements io.jobrunner.JobRunner {

    enum Mode { SYNC, ASYNC }

    private final String name;
    private final RunnerContext context;
    private final Mode tasks;
    private final Mode jobs;
    private final String owner;
    private final AsyncLane lane;
    private final RunnerLifecycle lifecycle;
    private final RunnerSchedules schedules;
    private volatile JobExecutor executor;

    /** Fires due recurring jobs on a timer unless {@code JOB_RUNNER_SCHEDULER=off}. */
    InProcessRunner(String name, RunnerContext context, Mode tasks, Mode jobs) {
        this.name = name;
        this.context = context;
        this.tasks = tasks;
        this.jobs = jobs;
        this.owner = WorkerIds.next(name);
        this.lifecycle = new RunnerLifecycle(name);
        this.lane = tasks == Mode.ASYNC || jobs == Mode.ASYNC
                ? new AsyncLane(name, owner, context, this::jobExecutor, jobs == Mode.ASYNC)
                : null;
        this.schedules = RunnerSchedules.start(context, this::newRequest, this::handOff, true);
    }

    private NewJobRequest newRequest(JobData data) {
        context.handlers().requireJob(data.jobType());
        return context.newJobRequest(data, name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fullyConfigured() {
        return true;
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        ensureOpen(taskName);
        TaskHandler<?> handler = context.handlers().requireTask(taskName);
        byte[] json = context.encodeTask(taskName, payload);
        if (tasks == Mode.SYNC) {
            try {
                TaskInvoker.run(context.codec(), handler, json);
            } catch (Exception e) {
                throw new TaskFailedException(taskName, e);
            }
        } else {
            lane.submitTask(taskName, handler, json);
        }
    }

    @Override
    public JobRequest dispatchJob(JobData data) {
        ensureOpen(data.jobType());
        InsertResult inserted = store().insert(newRequest(data));
        return inserted.needsHandOff() ? handOff(inserted.request()) : inserted.request();
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        ensureOpen(data.jobType());
        return store().insert(connection, newRequest(data)).request();
    }

    @Override
    public void handOff(Collection<JobRequest> requests) {
        ensureOpen("the hand-off of " + requests.size() + " jobs");
        for (JobRequest request : requests) {
            if (request.status() == JobStatus.QUEUED) {
                handOff(request);
            }
        }
    }

    @Override
    public Optional<JobRequest> retry(long jobId) {
        ensureOpen("job " + jobId);
        return store().retry(jobId).map(this::handOff);
    }

    private JobRequest handOff(JobRequest stored) {
        if (jobs == Mode.SYNC) {
            return runUntilFinished(stored.id(), stored.jobType());
        }
        lane.submitJob(stored.id(), stored.runAt());
        return stored;
    }

    @Override
    public JobSchedules schedules() {
        return schedules.schedules();
    }

    @Override
    public JobRequestStore store() {
        return context.store();
    }

    /** The sync mode: attempt after attempt on the caller's thread, waiting out run-at and backoff. */
    private JobRequest runUntilFinished(long id, String jobType) {
        while (true) {
            Optional<JobRequest> claimed = store().claim(id, owner, context.leaseTime());
            if (claimed.isPresent()) {
                ExecutionOutcome outcome = jobExecutor().execute(claimed.get(), null);
                if (outcome.result() != ExecutionOutcome.Result.RETRY_SCHEDULED) {
                    return current(id, jobType);
                }
                sleepUntil(outcome.request().runAt(), id);
                continue;
            }
            JobRequest current = current(id, jobType);
            if (current.status() != JobStatus.QUEUED) {
                return current;
            }
            sleepUntil(current.runAt(), id);
        }
    }

    private JobRequest current(long id, String jobType) {
        return store().find(id).orElseThrow(() -> new JobStoreException("Job request " + id + " (" + jobType
                + ") vanished from the store while it was being run"));
    }

    private static void sleepUntil(Instant when, long id) {
        long millis = Duration.between(Instant.now(), when).toMillis() + 1;
        if (millis <= 1) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStoreException("Interrupted while waiting to run job request " + id
                    + "; it stays queued in the store", e);
        }
    }

    private JobExecutor jobExecutor() {
        JobExecutor current = executor;
        if (current == null) {
            synchronized (this) {
                if (executor == null) {
                    executor = JobExecutor.forContext(context);
                }
                current = executor;
            }
        }
        return current;
    }

    private void ensureOpen(String what) {
        lifecycle.ensureOpen(what);
    }

    /**
     * Stops accepting work, lets queued and running work finish up to the shutdown timeout, then
     * interrupts what still runs. Jobs left unfinished stay in the store; tasks not yet started are lost.
     */
    @Override
    public void close() {
        lifecycle.closeOnce(schedules::close, lane == null ? null : lane::close,
                this::closeExecutor, context::close);
    }

    private synchronized void closeExecutor() {
        if (executor != null) {
            executor.close();
        }
    }
}
