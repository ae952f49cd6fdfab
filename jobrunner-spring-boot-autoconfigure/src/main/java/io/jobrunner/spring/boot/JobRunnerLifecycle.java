package io.jobrunner.spring.boot;

import io.jobrunner.RecurringJob;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts with the context, after every singleton is ready — on a thread of its own unless
 * {@code jobrunner.background-start=false}: builds the runner, defines the recurring jobs, then starts
 * the worker this application runs ({@code jobrunner.worker.enabled=true}: a database worker for
 * {@code database}, an SQS worker for {@code sqs}). Stops after the web server (a lower phase),
 * so requests still being answered can dispatch: the workers first, then the runner, each letting
 * running jobs finish within the shutdown timeout — {@code jobrunner.shutdown-timeout}, or Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase} when only that is set.
 *
 * <p>A worker keeps the process alive until the context closes, as a web server does: an application
 * with {@code spring.main.web-application-type=none} and the worker enabled runs until it is stopped,
 * even while the worker is still starting on the background thread.
 */
public final class JobRunnerLifecycle implements SmartLifecycle {

    /** Below the web server's graceful shutdown, so this stops after it and starts before it. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger log = LoggerFactory.getLogger(JobRunnerLifecycle.class);

    private final TransactionalJobRunner runner;
    private final List<RecurringJob> schedules;
    private final boolean workerEnabled;
    private final boolean background;
    private final List<AutoCloseable> workers = new ArrayList<>();
    private volatile boolean running;
    private volatile Thread starting;
    private Thread keepAlive;

    JobRunnerLifecycle(TransactionalJobRunner runner, List<RecurringJob> schedules, boolean workerEnabled,
                       boolean background) {
        this.runner = runner;
        this.schedules = List.copyOf(schedules);
        this.workerEnabled = workerEnabled;
        this.background = background;
    }

    /**
     * Checks the configuration (settings, the runner's own settings, a worker's runner), then builds the
     * runner, defines the schedules and starts the worker: on a thread of its own with
     * {@code jobrunner.background-start} (the default), so the application is ready without waiting for
     * the store; a dispatch meanwhile waits for the build, and a failure is logged and tried again by
     * the next dispatch.
     */
    @Override
    public synchronized void start() {
        String name = runner.checkRunner();
        if (workerEnabled) {
            Workers.check(name);
        }
        running = true;
        if (workerEnabled) {
            keepAlive = keepAlive();
        }
        if (background) {
            starting = new Thread(() -> startInBackground(name), "jobrunner-start");
            starting.setDaemon(true);
            starting.start();
        } else {
            startNow(name);
        }
    }

    /** A non-daemon thread that waits for {@link #stop()}: the worker's own threads are daemons. */
    private static Thread keepAlive() {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // stop() ends the wait
            }
        }, "jobrunner-worker-keep-alive");
        thread.setDaemon(false);
        thread.start();
        return thread;
    }

    private void startInBackground(String name) {
        try {
            startNow(name);
        } catch (RuntimeException e) {
            log.error("The job runner could not start; a dispatch will try to build it again: {}", e.getMessage(), e);
        }
    }

    private void startNow(String name) {
        runner.runner();  // built now, if no dispatch built it yet
        for (RecurringJob schedule : schedules) {
            runner.schedules().define(schedule);
        }
        if (workerEnabled) {
            synchronized (workers) {
                if (running) {
                    workers.add(Workers.start(name, runner.config()));
                }
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        awaitStart();
        synchronized (workers) {
            for (AutoCloseable worker : workers) {
                try {
                    worker.close();
                } catch (Exception e) {
                    log.warn("Stopping the worker failed", e);
                }
            }
            workers.clear();
        }
        runner.close();
        if (keepAlive != null) {
            keepAlive.interrupt();
            keepAlive = null;
        }
    }

    /** Lets a background start end before stopping what it started. */
    private void awaitStart() {
        Thread thread = starting;
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
