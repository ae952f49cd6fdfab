package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;

/**
 * What {@link JobRequestStore#fireSchedule} did with one occurrence. Immutable.
 *
 * @param outcome what happened
 * @param request the job request dispatched, for {@link Outcome#FIRED}; else {@code null}
 */
public record ScheduleFiring(Outcome outcome, JobRequest request) {

    public enum Outcome {
        /** The occurrence's job was stored; hand it off. */
        FIRED,
        /** The occurrence was passed over on purpose (missed-run policy); the schedule moved on. */
        SKIPPED,
        /** The previous occurrence's job is still queued or running and overlap is not allowed; the schedule moved on. */
        SKIPPED_OVERLAP,
        /** Another scheduler already took this occurrence, or the schedule was removed or redefined. */
        TAKEN
    }
}
