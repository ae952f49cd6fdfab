package io.jobrunner;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A recurring job as stored: its definition and where it stands. A snapshot. Immutable.
 *
 * @param name           the schedule's name
 * @param spec           its schedule text (cron or interval)
 * @param zone           the zone id cron fields are read in
 * @param jobType        the job each occurrence dispatches
 * @param queueName      its queue, or {@code null}
 * @param payloadJson    its payload as JSON text
 * @param maxAttempts    its attempts, or {@code null} for its type's policy
 * @param allowOverlap   whether occurrences may overlap
 * @param missedRuns     the missed-run policy
 * @param nextRunAt      the next occurrence to fire
 * @param lastOccurrence the last occurrence fired or skipped, or {@code null}
 * @param lastJobId      the job request of the last occurrence fired, or {@code null}
 * @param paused         true while it fires nothing ({@link JobSchedules#pause(String)}); defining it again keeps it paused
 */
public record ScheduledJob(String name, String spec, String zone, String jobType, String queueName, String payloadJson,
                           Integer maxAttempts, boolean allowOverlap, RecurringJob.MissedRuns missedRuns,
                           Instant nextRunAt, Instant lastOccurrence, Long lastJobId, boolean paused) {

    /** A schedule that is not paused. */
    public ScheduledJob(String name, String spec, String zone, String jobType, String queueName, String payloadJson,
                        Integer maxAttempts, boolean allowOverlap, RecurringJob.MissedRuns missedRuns,
                        Instant nextRunAt, Instant lastOccurrence, Long lastJobId) {
        this(name, spec, zone, jobType, queueName, payloadJson, maxAttempts, allowOverlap, missedRuns, nextRunAt,
                lastOccurrence, lastJobId, false);
    }

    /** Its first occurrence after {@code instant}, read in its zone: where a resumed schedule starts again. */
    public Instant nextOccurrenceAfter(Instant instant) {
        return Schedule.parse(spec).nextAfter(instant, ZoneId.of(zone));
    }
}
