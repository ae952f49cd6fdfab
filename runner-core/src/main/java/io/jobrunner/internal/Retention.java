package io.jobrunner.internal;

import io.jobrunner.JobStatus;
import io.jobrunner.Setting;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long finished requests are kept, and the sweep that deletes older ones: run by every process
 * that already sweeps (database workers and in-process runners at their recovery interval, SQS
 * workers and functions with their hand-off sweep). Each pass deletes at most
 * {@value #BATCH} × {@value #MAX_BATCHES} requests, in batches that concurrent sweepers never share.
 *
 * @param succeeded how long succeeded requests are kept; {@code null} keeps them
 * @param failed    how long failed and cancelled requests are kept; {@code null} keeps them
 */
public record Retention(Duration succeeded, Duration failed) {

    public static final Duration DEFAULT = Duration.ofDays(14);
    static final int BATCH = 1_000;
    static final int MAX_BATCHES = 10;

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    /** From {@code JOB_RUNNER_RETENTION} (default 14 days), each kind overridable; {@code 0} or {@code off} keeps everything. */
    public static Retention from(Settings settings) {
        Optional<Duration> all = settings.durationOrOff(Setting.RETENTION, Optional.of(DEFAULT));
        return new Retention(settings.durationOrOff(Setting.RETENTION_SUCCEEDED, all).orElse(null),
                settings.durationOrOff(Setting.RETENTION_FAILED, all).orElse(null));
    }

    /** Deletes what is past its retention, in bounded batches; logs and returns how many. Never throws. */
    public int sweep(JobRequestStore store) {
        try {
            int deleted = purge(store, Set.of(JobStatus.SUCCEEDED), succeeded)
                    + purge(store, Set.of(JobStatus.FAILED, JobStatus.CANCELLED), failed);
            if (deleted > 0) {
                log.info("Deleted {} finished job requests past their retention", deleted);
            }
            return deleted;
        } catch (RuntimeException e) {
            log.warn("Deleting finished job requests past their retention failed; the next sweep tries again: {}",
                    e.toString());
            return 0;
        }
    }

    private static int purge(JobRequestStore store, Set<JobStatus> statuses, Duration age) {
        if (age == null) {
            return 0;
        }
        int total = 0;
        for (int batch = 0; batch < MAX_BATCHES; batch++) {
            int deleted = store.purgeFinished(statuses, age, BATCH);
            total += deleted;
            if (deleted < BATCH) {
                break;
            }
        }
        return total;
    }
}
