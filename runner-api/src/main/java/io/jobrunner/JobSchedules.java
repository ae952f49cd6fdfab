package io.jobrunner;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.ScheduleFiring;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recurring jobs of a runner's store: define, list and remove them, and fire what is due.
 * Obtained from {@link JobRunner#schedules()}. Definitions and positions live in the store, so
 * any number of processes may run {@link #runDue()} (their runners do it on a timer): each
 * occurrence is fired once, by whichever scheduler takes it first. Thread-safe.
 *
 * <p>Occurrences are fired when due; one that is late by more than the grace period was missed
 * (no scheduler ran), and the schedule's {@link RecurringJob.MissedRuns} policy decides whether one
 * catch-up run fires. An occurrence whose predecessor's job is still queued or running is skipped
 * unless the schedule allows overlap.
 */
public final class JobSchedules {

    /** How late an occurrence may fire before it counts as missed, unless set. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);
    /** Occurrences one schedule may fire in one pass, to catch up after a pause without starving others. */
    private static final int MAX_PER_PASS = 100;
    private static final Logger log = LoggerFactory.getLogger(JobSchedules.class);

    private final JobRequestStore store;
    private final PayloadCodec codec;
    private final Function<JobData, NewJobRequest> newRequest;
    private final Consumer<List<JobRequest>> handOff;
    private final Duration grace;
    private final Clock clock;

    /**
     * For runners: {@code newRequest} turns an occurrence's job into the runner's row (checked like a
     * dispatch, not handed off); {@code handOff} hands off the requests fired.
     */
    public JobSchedules(JobRequestStore store, PayloadCodec codec, Function<JobData, NewJobRequest> newRequest,
                        Consumer<List<JobRequest>> handOff, Duration grace, Clock clock) {
        this.store = store;
        this.codec = codec;
        this.newRequest = newRequest;
        this.handOff = handOff;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * Stores the recurring job, or replaces the one with its name. A replaced schedule with the
     * same timing keeps its position, so defining schedules at every start-up neither skips nor
     * repeats an occurrence; a new or retimed one starts at its next occurrence from now.
     *
     * @throws UnknownHandlerException when this process knows its handlers and none has the job's type
     * @throws PayloadException        when the payload cannot be serialized
     */
    public ScheduledJob define(RecurringJob job) {
        JobData data = job.job();
        String payloadJson = newRequest.apply(data).payloadJson();
        Instant first = job.schedule().nextAfter(clock.instant(), job.zone());
        ScheduledJob saved = store.saveSchedule(new ScheduledJob(job.name(), job.schedule().spec(), job.zone().getId(),
                data.jobType(), data.queueName(), payloadJson, data.maxAttempts(), job.allowOverlap(), job.missedRuns(),
                first, null, null));
        log.info("Recurring job '{}' ({}) dispatches {} next at {}", saved.name(), saved.spec(), saved.jobType(),
                saved.nextRunAt());
        return saved;
    }

    public Optional<ScheduledJob> find(String name) {
        return store.findSchedule(name);
    }

    /** Every recurring job, by name. */
    public List<ScheduledJob> list() {
        return store.listSchedules();
    }

    /** Removes a recurring job; the jobs it dispatched stay. False when none had that name. */
    public boolean remove(String name) {
        return store.deleteSchedule(name);
    }

    /** Fires or skips every occurrence that is due, each once across all schedulers; returns how many jobs it fired. */
    public int runDue() {
        Instant now = clock.instant();
        int fired = 0;
        for (ScheduledJob schedule : store.dueSchedules(now)) {
            try {
                fired += fireDue(schedule, now);
            } catch (RuntimeException e) {
                log.warn("Recurring job '{}' could not be fired; the next pass tries again: {}", schedule.name(),
                        e.toString());
            }
        }
        return fired;
    }

    private int fireDue(ScheduledJob stored, Instant now) {
        Schedule schedule = Schedule.parse(stored.spec());
        ZoneId zone = ZoneId.of(stored.zone());
        ScheduledJob current = stored;
        int fired = 0;
        for (int round = 0; round < MAX_PER_PASS && !current.nextRunAt().isAfter(now); round++) {
            Instant due = current.nextRunAt();
            Instant occurrence = due;
            Instant next = schedule.nextAfter(due, zone);
            boolean run = true;
            if (Duration.between(due, now).compareTo(grace) > 0) {
                occurrence = schedule.latestUpTo(due, now, zone);
                next = schedule.nextAfter(now, zone);
                run = current.missedRuns() == RecurringJob.MissedRuns.RUN_ONCE;
                log.warn("Recurring job '{}' missed its occurrences from {} to {} (no scheduler ran); {}",
                        current.name(), due, occurrence, run ? "running it once now" : "skipping them");
            }
            NewJobRequest request = run ? newRequest.apply(occurrenceJob(current, occurrence)) : null;
            ScheduleFiring firing = store.fireSchedule(current.name(), due, next, occurrence, request);
            switch (firing.outcome()) {
                case FIRED -> {
                    fired++;
                    handOff.accept(List.of(firing.request()));
                }
                case SKIPPED_OVERLAP -> log.info("Recurring job '{}' skipped its occurrence at {}: the job of the "
                        + "previous one ({}) is still queued or running", current.name(), occurrence, current.lastJobId());
                case SKIPPED -> log.debug("Recurring job '{}' skipped {}", current.name(), occurrence);
                case TAKEN -> {
                    return fired;
                }
            }
            current = current.advancedTo(next, occurrence, firing.request() == null ? null : firing.request().id());
        }
        return fired;
    }

    /** The job of one occurrence: the schedule's job, with a dedup key naming the occurrence. */
    private JobData occurrenceJob(ScheduledJob schedule, Instant occurrence) {
        Object payload;
        try {
            payload = codec.mapper().readTree(schedule.payloadJson());
        } catch (JsonProcessingException e) {
            throw new PayloadException(schedule.jobType(), "The stored payload of recurring job '" + schedule.name()
                    + "' is not JSON: " + e.getOriginalMessage(), e);
        }
        return new JobData(schedule.jobType(), payload, schedule.queueName(), occurrenceKey(schedule.name(), occurrence),
                null, schedule.maxAttempts(), false);
    }

    /** The dedup key of a schedule's occurrence: {@code schedule:<name>@<instant>}. */
    public static String occurrenceKey(String scheduleName, Instant occurrence) {
        return "schedule:" + scheduleName + "@" + occurrence;
    }
}
