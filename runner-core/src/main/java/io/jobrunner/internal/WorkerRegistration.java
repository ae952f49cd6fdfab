package io.jobrunner.internal;

import io.jobrunner.JobWorker;
import io.jobrunner.spi.store.JobRequestStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's row in the store's registry: written at start, renewed every {@link JobWorker#HEARTBEAT}
 * on a thread of its own (so a long sweep on the worker's timer never makes it look dead), removed
 * at {@link #close()}. A store that cannot be reached costs a
 * warning, never the worker: the row is written again at the next beat. Thread-safe.
 */
public final class WorkerRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistration.class);

    private final JobRequestStore store;
    private final JobWorker worker;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    private WorkerRegistration(JobRequestStore store, JobWorker worker) {
        this.store = store;
        this.worker = worker;
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("jobrunner-registry-", true));
        this.timer.scheduleWithFixedDelay(this::beat, 0, JobWorker.HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Registers {@code worker} now (in the background) and renews it until closed. */
    public static WorkerRegistration start(JobRequestStore store, JobWorker worker) {
        return new WorkerRegistration(store, worker);
    }

    private void beat() {
        try {
            store.registerWorker(worker);
            if (failing) {
                log.info("Worker {} is registered again", worker.id());
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("Worker {} could not renew its registration (it keeps working; 'jobrunner workers' will show"
                        + " it as not live until it can): {}", worker.id(), e.getMessage());
                failing = true;
            }
        }
    }

    /** Stops renewing and removes the row; a failure is logged (the row then ages out). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);  // a beat in flight must not write the row again after it is removed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.unregisterWorker(worker.id());
        } catch (RuntimeException e) {
            log.debug("Worker {} could not remove its registration; it will show as not live", worker.id(), e);
        }
    }
}
