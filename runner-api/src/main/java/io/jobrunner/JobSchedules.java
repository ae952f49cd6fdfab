package io.jobrunner;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The recurring jobs of a runner's store: define, list and remove them, and fire what is due.
 * Obtained from {@link JobRunner#schedules()}. Definitions and positions live in the store, so
 * any number of processes may fire them (their runners do it on a timer, see
 * {@code JOB_RUNNER_SCHEDULER}): each occurrence is fired once, by whichever scheduler takes it
 * first. Implementations are thread-safe.
 *
 * <p>Occurrences are fired when due; one that is late by more than the grace period was missed
 * (no scheduler ran), and the schedule's {@link RecurringJob.MissedRuns} policy decides whether one
 * catch-up run fires. An occurrence whose predecessor's job is still queued or running is skipped
 * unless the schedule allows overlap.
 */
public interface JobSchedules {

    /**
     * Stores the recurring job, or replaces the one with its name. A replaced schedule with the
     * same timing keeps its position, so defining schedules at every start-up neither skips nor
     * repeats an occurrence; a new or retimed one starts at its next occurrence from now.
     *
     * @throws UnknownHandlerException when this process knows its handlers and none has the job's type
     * @throws PayloadException        when the payload cannot be serialized
     */
    ScheduledJob define(RecurringJob job);

    Optional<ScheduledJob> find(String name);

    /** Every recurring job, by name. */
    List<ScheduledJob> list();

    /**
     * Dispatches the recurring job's job now, as one more job outside its timing: the next
     * occurrence stays where it was, and overlap rules do not apply (it is asked for by hand).
     *
     * @throws IllegalArgumentException when no recurring job has that name
     */
    JobRequest trigger(String name);

    /**
     * Pauses a recurring job: it fires nothing, on any scheduler, until {@link #resume(String)}.
     * Defining it again (at every start-up) keeps it paused. The jobs it dispatched are untouched.
     *
     * @return the schedule as it stands
     * @throws IllegalArgumentException when no recurring job has that name
     */
    ScheduledJob pause(String name);

    /**
     * Resumes a paused recurring job at its next occurrence from now: the occurrences it missed while
     * paused are not fired. A schedule that was not paused keeps its position.
     *
     * @return the schedule as it stands
     * @throws IllegalArgumentException when no recurring job has that name
     */
    ScheduledJob resume(String name);

    /** Removes a recurring job; the jobs it dispatched stay. False when none had that name. */
    boolean remove(String name);

    /**
     * Fires or skips every occurrence that is due, each once across all schedulers; returns how many
     * jobs it fired. For a process whose timer is off ({@code JOB_RUNNER_SCHEDULER=false}) that fires
     * by hand, e.g. from a platform's cron.
     */
    int runDue();

    /** The dedup key of a schedule's occurrence, {@code schedule:<name>@<instant>}: how to find the job it fired. */
    static String occurrenceKey(String scheduleName, Instant occurrence) {
        return "schedule:" + scheduleName + "@" + occurrence;
    }
}
