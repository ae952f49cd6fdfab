package io.jobrunner.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobSchedules;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import io.jobrunner.RecurringJob;
import io.jobrunner.Schedule;
import io.jobrunner.ScheduledJob;
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
 * {@link JobSchedules} over a store: definitions and positions live in the store, so any number of
 * processes may run {@link #runDue()} (their runners do it on a timer) and each occurrence is fired
 * once, by whichever scheduler takes it first. Thread-safe.
 */
public final class StoredJobSchedules implements JobSchedules {

    /** Occurrences one schedule may fire in one pass, to catch up after a pause without starving others. */
    private static final int MAX_PER_PASS = 100;
    private static final Logger log = LoggerFactory.getLogger(StoredJobSchedules.class);

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
    public StoredJobSchedules(JobRequestStore store, PayloadCodec codec, Function<JobData, NewJobRequest> newRequest,
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
    @Override
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

    @Override
    public Optional<ScheduledJob> find(String name) {
        return store.findSchedule(name);
    }

    @Override
    public List<ScheduledJob> list() {
        return store.listSchedules();
    }

    @Override
    public JobRequest trigger(String name) {
        ScheduledJob schedule = store.findSchedule(name).orElseThrow(() -> unknown(name));
        JobData job = new JobData(schedule.jobType(), payload(schedule), schedule.queueName(), null, null,
                schedule.maxAttempts(), false);
        JobRequest request = store.insert(newRequest.apply(job)).request();
        handOff.accept(List.of(request));
        log.info("Recurring job '{}' triggered by hand: job request {}", name, request.id());
        return request;
    }

    @Override
    public ScheduledJob pause(String name) {
        ScheduledJob paused = store.pauseSchedule(name, true, null).orElseThrow(() -> unknown(name));
        log.info("Recurring job '{}' paused", name);
        return paused;
    }

    @Override
    public ScheduledJob resume(String name) {
        ScheduledJob stored = store.findSchedule(name).orElseThrow(() -> unknown(name));
        ScheduledJob resumed = store.pauseSchedule(name, false, stored.nextOccurrenceAfter(clock.instant())).orElseThrow(() -> unknown(name));
        log.info("Recurring job '{}' resumed; next at {}", name, resumed.nextRunAt());
        return resumed;
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("No recurring job named '" + name + "' in " + store.description()
                + "; list() names them");
    }

    @Override
    public boolean remove(String name) {
        return store.deleteSchedule(name);
    }

    @Override
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
            current = advanced(current, next, occurrence, firing.request() == null ? null : firing.request().id());
        }
        return fired;
    }

    /** The schedule at its new position. */
    private static ScheduledJob advanced(ScheduledJob s, Instant next, Instant occurrence, Long jobId) {
        return new ScheduledJob(s.name(), s.spec(), s.zone(), s.jobType(), s.queueName(), s.payloadJson(), s.maxAttempts(),
                s.allowOverlap(), s.missedRuns(), next, occurrence, jobId == null ? s.lastJobId() : jobId);
    }

    /** The job of one occurrence: the schedule's job, with a dedup key naming the occurrence. */
    private JobData occurrenceJob(ScheduledJob schedule, Instant occurrence) {
        return new JobData(schedule.jobType(), payload(schedule), schedule.queueName(),
                JobSchedules.occurrenceKey(schedule.name(), occurrence), null, schedule.maxAttempts(), false);
    }

    private Object payload(ScheduledJob schedule) {
        try {
            return codec.mapper().readTree(schedule.payloadJson());
        } catch (JsonProcessingException e) {
            throw new PayloadException(schedule.jobType(), "The stored payload of recurring job '" + schedule.name()
                    + "' is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
