package io.jobrunner.spring.boot;

import io.jobrunner.RecurringJob;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts with the context, after every singleton is ready: defines the recurring jobs, then starts
 * the worker this application runs ({@code jobrunner.worker.enabled=true}: a database worker for
 * {@code database}, an SQS worker for {@code sqs}). Stops after the web server (a lower phase),
 * so requests still being answered can dispatch: the workers first, then the runner, each letting
 * running jobs finish within the shutdown timeout — {@code jobrunner.shutdown-timeout}, or Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase} when only that is set.
 */
public final class JobRunnerLifecycle implements SmartLifecycle {

    /** Below the web server's graceful shutdown, so this stops after it and starts before it. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger log = LoggerFactory.getLogger(JobRunnerLifecycle.class);

    private final TransactionalJobRunner runner;
    private final List<RecurringJob> schedules;
    private final boolean workerEnabled;
    private final List<AutoCloseable> workers = new ArrayList<>();
    private volatile boolean running;

    JobRunnerLifecycle(TransactionalJobRunner runner, List<RecurringJob> schedules, boolean workerEnabled) {
        this.runner = runner;
        this.schedules = List.copyOf(schedules);
        this.workerEnabled = workerEnabled;
    }

    @Override
    public synchronized void start() {
        runner.runner();  // built now, if no dispatch built it yet
        for (RecurringJob schedule : schedules) {
            runner.schedules().define(schedule);
        }
        if (workerEnabled) {
            workers.add(Workers.start(runner.name(), runner.config()));
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        for (AutoCloseable worker : workers) {
            try {
                worker.close();
            } catch (Exception e) {
                log.warn("Stopping the worker failed", e);
            }
        }
        workers.clear();
        runner.close();
        running = false;
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
