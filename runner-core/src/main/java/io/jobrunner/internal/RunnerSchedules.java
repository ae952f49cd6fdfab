package io.jobrunner.internal;

import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobSchedules;
import io.jobrunner.Setting;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.NewJobRequest;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A runner's recurring jobs and, when {@code JOB_RUNNER_SCHEDULER} says so, the timer that fires
 * them; a clear error from {@link #schedules()} when no store is available. Thread-safe.
 */
public final class RunnerSchedules implements AutoCloseable {


    private final RunnerContext context;
    private final JobSchedules schedules;
    private final ScheduleTicker timer;

    private RunnerSchedules(RunnerContext context, JobSchedules schedules, ScheduleTicker timer) {
        this.context = context;
        this.schedules = schedules;
        this.timer = timer;
    }

    /**
     * @param newRequest     the runner's row for a fired job (checked like a dispatch, not handed off)
     * @param handOff        how the runner hands off the jobs fired
     * @param timerByDefault whether the timer runs when {@code JOB_RUNNER_SCHEDULER} is unset
     */
    public static RunnerSchedules start(RunnerContext context, Function<JobData, NewJobRequest> newRequest,
                                        Consumer<List<JobRequest>> handOff, boolean timerByDefault) {
        if (!context.hasStore()) {
            return new RunnerSchedules(context, null, null);
        }
        StoredJobSchedules schedules = of(context, newRequest, handOff);
        return new RunnerSchedules(context, schedules, startTimer(context, schedules, timerByDefault));
    }

    /**
     * Starts firing the due recurring jobs on a timer when {@code JOB_RUNNER_SCHEDULER} says so
     * ({@code onByDefault} when unset) and a store is available; {@code null} otherwise.
     */
    public static ScheduleTicker startTimer(RunnerContext context, StoredJobSchedules schedules, boolean onByDefault) {
        if (!context.hasStore() || !context.config().settings().flag(Setting.SCHEDULER, onByDefault)) {
            return null;
        }
        return ScheduleTicker.start(schedules, context.config().settings().duration(Setting.SCHEDULER_INTERVAL));
    }

    /**
     * The recurring jobs of the context's store, for a runner that builds its requests with
     * {@code newRequest} and hands them off with {@code handOff}.
     */
    public static StoredJobSchedules of(RunnerContext context, Function<JobData, NewJobRequest> newRequest,
                                        Consumer<List<JobRequest>> handOff) {
        return new StoredJobSchedules(context.store(), context.config().codec(), newRequest, handOff,
                context.config().settings().duration(Setting.SCHEDULE_GRACE), Clock.systemUTC());
    }

    /** The runner's recurring jobs; a {@link io.jobrunner.JobStoreException} when it has no store. */
    public JobSchedules schedules() {
        if (schedules == null) {
            throw context.noStore();
        }
        return schedules;
    }

    /** Stops the timer; a pass in progress finishes. */
    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
