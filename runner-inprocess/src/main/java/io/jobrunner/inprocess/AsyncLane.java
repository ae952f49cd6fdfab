package io.jobrunner.inprocess;

import io.jobrunner.DispatchRejectedException;
import io.jobrunner.JobRequest;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.ExecutionOutcome;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.NamedThreads;
import io.jobrunner.internal.Recovery;
import io.jobrunner.internal.Tasks;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.ClaimFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous half of an in-process runner: a fixed pool of workers fed by a bounded queue,
 * so memory stays bounded and a full queue blocks callers (back-pressure) up to the dispatch
 * timeout. Jobs also have a recovery sweep that takes over
 * requests this runner left queued or abandoned: after a restart, a full queue, or a lost timer.
 * Thread-safe.
 */
final class AsyncLane implements AutoCloseable {

    static final String CONCURRENCY = "JOB_RUNNER_CONCURRENCY";
    static final String QUEUE_CAPACITY = "JOB_RUNNER_QUEUE_CAPACITY";
    static final String DISPATCH_TIMEOUT = "JOB_RUNNER_DISPATCH_TIMEOUT";
    static final String SHUTDOWN_TIMEOUT = "JOB_RUNNER_SHUTDOWN_TIMEOUT";
    static final String RECOVERY_INTERVAL = "JOB_RUNNER_RECOVERY_INTERVAL";

    private static final Logger log = LoggerFactory.getLogger(AsyncLane.class);

    private final String runnerName;
    private final RunnerContext context;
    private final JobRuns runs;
    private final int concurrency;
    private final int queueCapacity;
    private final Duration dispatchTimeout;
    private final Duration shutdownTimeout;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;

    AsyncLane(String runnerName, RunnerContext context, JobRuns runs, boolean runsJobs) {
        Settings settings = context.settings();
        this.runnerName = runnerName;
        this.context = context;
        this.runs = runs;
        this.concurrency = settings.integer(CONCURRENCY, 8, 1);
        this.queueCapacity = settings.integer(QUEUE_CAPACITY, 10_000, 1);
        this.dispatchTimeout = settings.duration(DISPATCH_TIMEOUT, Duration.ofSeconds(30));
        this.shutdownTimeout = settings.duration(SHUTDOWN_TIMEOUT, Duration.ofSeconds(30));
        Duration recoveryInterval = settings.duration(RECOVERY_INTERVAL, Duration.ofSeconds(30));
        this.workers = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(queueCapacity), NamedThreads.factory(runnerName + "-worker-", false), this::waitForRoom);
        this.workers.prestartAllCoreThreads();
        this.timer = new ScheduledThreadPoolExecutor(1, NamedThreads.factory(runnerName + "-timer-", true));
        // Delayed jobs stay queued in the store when the runner closes; never start them during shutdown.
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        if (runsJobs) {
            timer.scheduleWithFixedDelay(this::recoverySweep, 0, recoveryInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    int concurrency() {
        return concurrency;
    }

    int queueCapacity() {
        return queueCapacity;
    }

    /** Queues a task, waiting for room up to the dispatch timeout. */
    void submitTask(String taskName, TaskHandler<?> handler, byte[] json) {
        workers.execute(new Work(taskName, null, () -> {
            try {
                Tasks.run(context.codec(), handler, json);
            } catch (Exception e) {
                log.error("Task '{}' failed; tasks are not retried (dispatch a job for retries)", taskName, e);
            }
        }));
    }

    /**
     * Queues a stored job to run at its run-at. A job that finds no room within the dispatch timeout
     * stays queued in the store, and the recovery sweep runs it once there is room.
     */
    void submitJob(long id, Instant runAt) {
        long delay = Duration.between(Instant.now(), runAt).toMillis();
        if (delay > 0) {
            timer.schedule(() -> offerJob(id), delay, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            workers.execute(jobWork(id));
        } catch (DispatchRejectedException e) {
            log.warn("Job request {} stays queued in the store for the recovery sweep: {}", id, e.getMessage());
        }
    }

    /** From the timer: queue the job if there is room now, else leave it to the recovery sweep. */
    private void offerJob(long id) {
        workers.getQueue().offer(jobWork(id));
    }

    private Work jobWork(long id) {
        return new Work("job " + id, null, () -> runJob(id));
    }

    private void runJob(long id) {
        retryLater(runs.runOnce(id, null, null));
    }

    private void runClaimed(JobRequest claimed) {
        retryLater(runs.run(claimed, null));
    }

    /** A failed attempt with attempts left runs again at its new run-at. */
    private void retryLater(JobRuns.Run run) {
        if (run.result() == ExecutionOutcome.Result.RETRY_SCHEDULED && !timer.isShutdown()) {
            submitJob(run.request().id(), run.request().runAt());
        }
    }

    /** Fails abandoned requests, then takes over due requests of this runner while there is room. */
    private void recoverySweep() {
        try {
            Recovery.failAbandoned(context.store());
            ClaimFilter filter = new ClaimFilter(context.handlers().jobTypes(), Set.of(), runnerName);
            int room;
            while ((room = Math.min(workers.getQueue().remainingCapacity(), 100)) > 0) {
                List<JobRequest> claimed = runs.claimNext(filter, room);
                for (JobRequest request : claimed) {
                    workers.execute(new Work("job " + request.id(), request, () -> runClaimed(request)));
                }
                if (claimed.size() < room) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn("Recovery sweep of runner '{}' failed; will try again: {}", runnerName, e.toString());
        }
    }

    /** Back-pressure: called by the pool when its queue is full; waits for room up to the dispatch timeout. */
    private void waitForRoom(Runnable work, ThreadPoolExecutor pool) {
        String name = String.valueOf(work);
        if (pool.isShutdown()) {
            throw new DispatchRejectedException(runnerName, name, "the runner is closed");
        }
        try {
            if (!pool.getQueue().offer(work, dispatchTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DispatchRejectedException(runnerName, name, "the queue stayed full ("
                        + concurrency + " running, " + queueCapacity + " waiting) for " + dispatchTimeout.toMillis()
                        + " ms. Raise " + QUEUE_CAPACITY + " or " + CONCURRENCY + ", or slow the producer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchRejectedException(runnerName, name, "interrupted while waiting for room in the queue");
        }
    }

    /**
     * Lets a sweep in progress hand over what it claimed, then lets queued and running work finish
     * up to the shutdown timeout. What is still queued then is dropped: claimed jobs are released
     * back to the queue, jobs not yet claimed were never taken from it, tasks are lost (and logged).
     * What still runs is interrupted; a job that stops with an {@code InterruptedException} is released
     * to the queue without counting the attempt.
     */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            workers.shutdown();
            if (!workers.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                runs.beginShutdown();
                List<Runnable> dropped = workers.shutdownNow();
                release(dropped);
                log.warn("Runner '{}' did not drain within {} ms; interrupted running work and dropped {} queued: {}. "
                        + "Dropped jobs stay queued in the store; dropped tasks are lost", runnerName,
                        shutdownTimeout.toMillis(), dropped.size(), dropped.stream().limit(20).map(String::valueOf).toList());
                workers.awaitTermination(Math.min(shutdownTimeout.toMillis(), 5_000), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(workers.shutdownNow());
        }
    }

    private void release(List<Runnable> dropped) {
        for (Runnable work : dropped) {
            if (work instanceof Work queued && queued.claimed != null) {
                runs.release(queued.claimed);
            }
        }
    }

    /** A unit of queued work that names itself (task name, or "job id") in rejections and shutdown logs. */
    private final class Work implements Runnable {
        private final String description;
        private final JobRequest claimed;
        private final Runnable body;

        /** @param claimed the request this work holds claimed, or {@code null} */
        Work(String description, JobRequest claimed, Runnable body) {
            this.description = description;
            this.claimed = claimed;
            this.body = body;
        }

        @Override
        public void run() {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.error("Runner '{}' failed running {}", runnerName, description, e);
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
