package io.jobrunner.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@link StoredJobSchedules#runDue()} on one daemon thread at a fixed delay. Thread-safe. */
public final class ScheduleTicker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScheduleTicker.class);

    private final ScheduledExecutorService timer;

    private ScheduleTicker(StoredJobSchedules schedules, Duration interval) {
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("jobrunner-scheduler-", true));
        timer.scheduleWithFixedDelay(() -> {
            try {
                schedules.runDue();
            } catch (RuntimeException e) {
                log.warn("Firing due recurring jobs failed; will try again: {}", e.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static ScheduleTicker start(StoredJobSchedules schedules, Duration interval) {
        return new ScheduleTicker(schedules, interval);
    }

    /** Stops firing; a pass in progress finishes. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
