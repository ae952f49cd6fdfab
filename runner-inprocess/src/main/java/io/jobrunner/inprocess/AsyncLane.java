package io.jobrunner.inprocess;

import io.jobrunner.DispatchRejectedException;
import io.jobrunner.Setting;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.NamedThreads;
import io.jobrunner.internal.Tasks;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an in-process runner's tasks run: a fixed pool of threads fed by a bounded queue, so memory
 * stays bounded and a full queue blocks callers (back-pressure) up to the dispatch timeout. (Its
 * jobs are stored first and claimed by an in-process {@link DatabaseWorker}.) Holds the settings
 * both share. Thread-safe.
 */
final class AsyncLane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AsyncLane.class);

    private final String runnerName;
    private final RunnerContext context;
    private final int concurrency;
    private final int queueCapacity;
    private final Duration dispatchTimeout;
    private final Duration shutdownTimeout;
    private final ThreadPoolExecutor workers;

    AsyncLane(String runnerName, RunnerContext context) {
        Settings settings = context.config().settings();
        this.runnerName = runnerName;
        this.context = context;
        this.concurrency = settings.integer(Setting.CONCURRENCY);
        this.queueCapacity = settings.integer(Setting.QUEUE_CAPACITY);
        this.dispatchTimeout = settings.duration(Setting.DISPATCH_TIMEOUT);
        this.shutdownTimeout = settings.duration(Setting.SHUTDOWN_TIMEOUT);
        this.workers = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(queueCapacity), NamedThreads.factory(runnerName + "-worker-", false), this::waitForRoom);
        this.workers.prestartAllCoreThreads();
    }

    /** Queues a task, waiting for room up to the dispatch timeout; {@code trace} is its dispatch's, or {@code null}. */
    void submitTask(String taskName, TaskHandler<?> handler, byte[] json, String trace) {
        workers.execute(new Work(taskName, () -> {
            try {
                Tasks.run(context.config().tracer(), context.config().codec(), handler, json, trace);
            } catch (Exception e) {
                log.error("Task '{}' failed; tasks are not retried (dispatch a job for retries)", taskName, e);
            }
        }));
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
                        + " ms. Raise " + Setting.QUEUE_CAPACITY.variable() + " or " + Setting.CONCURRENCY.variable() + ", or slow the producer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchRejectedException(runnerName, name, "interrupted while waiting for room in the queue");
        }
    }

    /**
     * Lets queued and running tasks finish up to the shutdown timeout; what is still queued then is
     * lost (and logged), what still runs is interrupted.
     */
    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Runnable> dropped = workers.shutdownNow();
                log.warn("Runner '{}' did not drain within {} ms; interrupted running tasks and dropped {} queued: {}",
                        runnerName, shutdownTimeout.toMillis(), dropped.size(),
                        dropped.stream().limit(20).map(String::valueOf).toList());
                workers.awaitTermination(Math.min(shutdownTimeout.toMillis(), 5_000), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    /** A task on the queue, named in rejections and shutdown logs. */
    private final class Work implements Runnable {
        private final String description;
        private final Runnable body;

        Work(String description, Runnable body) {
            this.description = description;
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
