package io.jobrunner;

import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A job to dispatch on a {@link Schedule}: the input of {@link JobSchedules#define}. Immutable.
 *
 * @param name         unique name of the schedule; defining it again replaces it
 * @param schedule     when it fires
 * @param zone         the time zone cron fields are read in (UTC unless set)
 * @param job          what each occurrence dispatches (its type, payload, queue, max attempts);
 *                     dedup keys and run-at are set per occurrence, so it must have neither
 * @param allowOverlap whether an occurrence may start while the job of the previous one is still
 *                     queued or running; when false (the default) that occurrence is skipped
 * @param missedRuns   what to do about occurrences missed while no scheduler ran
 */
public record RecurringJob(String name, Schedule schedule, ZoneId zone, JobData job, boolean allowOverlap,
                           MissedRuns missedRuns) {

    /** Longest schedule name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    /** What happens to occurrences that passed while no scheduler was running (longer than the grace period). */
    public enum MissedRuns {
        /** One catch-up run for the latest missed occurrence, at once; the older ones are dropped. The default. */
        RUN_ONCE,
        /** No catch-up: the schedule resumes at its next occurrence. */
        SKIP
    }

    public RecurringJob {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("A recurring job needs a name of 1 to " + MAX_NAME_LENGTH
                    + " characters, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (schedule == null) {
            throw new IllegalArgumentException("Recurring job '" + name + "' has no schedule: give a cron expression "
                    + "such as '0 1/5 * * * *' or an interval such as 'every 5 minutes'");
        }
        if (job == null) {
            throw new IllegalArgumentException("Recurring job '" + name + "' has no job to dispatch: give a JobData");
        }
        if (job.dedupKey() != null || job.dedupByPayload() || job.runAt() != null) {
            throw new IllegalArgumentException("The job of recurring job '" + name + "' must have no dedup key and no "
                    + "run-at: each occurrence gets its own ('schedule:" + name + "@<time>') and runs when it is due");
        }
        zone = zone == null ? ZoneOffset.UTC : zone;
        missedRuns = missedRuns == null ? MissedRuns.RUN_ONCE : missedRuns;
    }

    /** A builder for a recurring job named {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects the options of a {@link RecurringJob}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private Schedule schedule;
        private ZoneId zone;
        private JobData job;
        private boolean allowOverlap;
        private MissedRuns missedRuns;

        private Builder(String name) {
            this.name = name;
        }

        /** A cron expression with seconds ({@code "0 1/5 * * * *"}) or an interval ({@code "every 5 minutes"}). */
        public Builder schedule(String spec) {
            this.schedule = Schedule.parse(spec);
            return this;
        }

        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        public Builder job(JobData job) {
            this.job = job;
            return this;
        }

        /** Lets an occurrence start while the previous one's job is still queued or running. */
        public Builder allowOverlap() {
            this.allowOverlap = true;
            return this;
        }

        public Builder missedRuns(MissedRuns missedRuns) {
            this.missedRuns = missedRuns;
            return this;
        }

        public RecurringJob build() {
            return new RecurringJob(name, schedule, zone, job, allowOverlap, missedRuns);
        }
    }
}
