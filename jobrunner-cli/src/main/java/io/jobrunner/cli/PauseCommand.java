package io.jobrunner.cli;

import io.jobrunner.Pause;
import io.jobrunner.ScheduledJob;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobrunner pause} and {@code jobrunner resume}: a queue, a job type or a recurring job held
 * for every process sharing the store, and let go again.
 */
abstract class PauseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Target target;

    /** Exactly one of the three. */
    static final class Target {
        @Option(names = "--queue", paramLabel = "QUEUE", description = "a queue, as dispatched ('default' for jobs"
                + " dispatched without one)")
        String queue;

        @Option(names = "--type", paramLabel = "TYPE", description = "a job type, in every queue")
        String jobType;

        @Option(names = "--schedule", paramLabel = "NAME", description = "a recurring job")
        String schedule;
    }

    /** Pauses or resumes the target; returns what to print, or empty when nothing changed. */
    abstract Optional<String> act(Store store, Pause pause);

    abstract Optional<ScheduledJob> actOnSchedule(Store store, String name, Instant now);

    abstract String unchanged(String what);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = Store.open()) {
            Optional<String> done;
            String what;
            if (target.schedule != null) {
                what = "recurring job " + target.schedule;
                if (store.spi().findSchedule(target.schedule).isEmpty()) {
                    spec.commandLine().getErr().println("No recurring job named '" + target.schedule + "' in "
                            + store.description() + "; 'jobrunner schedules' lists them");
                    return JobRunnerCli.FAILED;
                }
                done = actOnSchedule(store, target.schedule, Instant.now()).map(schedule -> what
                        + (schedule.paused() ? " paused" : " resumed; next run at " + schedule.nextRunAt()));
            } else {
                Pause pause = target.queue != null ? Pause.queue(target.queue) : Pause.jobType(target.jobType);
                what = pause.toString();
                done = act(store, pause);
            }
            out.println(done.orElse(unchanged(what)));
        }
        return 0;
    }

    @Command(name = "pause", description = "Pause a queue, a job type or a recurring job for every process sharing the"
            + " store: no runner or worker starts its queued jobs (a recurring job fires nothing) until 'jobrunner"
            + " resume'. Running jobs finish; new jobs are stored queued.")
    static final class Pausing extends PauseCommand {
        @Override
        Optional<String> act(Store store, Pause pause) {
            return store.jobs().pause(pause) ? Optional.of(pause + " paused") : Optional.empty();
        }

        @Override
        Optional<ScheduledJob> actOnSchedule(Store store, String name, Instant now) {
            boolean was = store.spi().findSchedule(name).map(ScheduledJob::paused).orElse(false);
            return was ? Optional.empty() : store.spi().pauseSchedule(name, true, null);
        }

        @Override
        String unchanged(String what) {
            return what + " was paused already";
        }
    }

    @Command(name = "resume", description = "Resume a paused queue, job type or recurring job: its queued jobs start as"
            + " workers claim them (database workers at once, SQS and Lambda at the next hand-off sweep); a recurring"
            + " job fires again from its next occurrence, the ones missed while paused are not fired.")
    static final class Resuming extends PauseCommand {
        @Override
        Optional<String> act(Store store, Pause pause) {
            return store.jobs().resume(pause) ? Optional.of(pause + " resumed") : Optional.empty();
        }

        @Override
        Optional<ScheduledJob> actOnSchedule(Store store, String name, Instant now) {
            Optional<ScheduledJob> stored = store.spi().findSchedule(name);
            if (stored.isEmpty() || !stored.get().paused()) {
                return Optional.empty();
            }
            return store.spi().pauseSchedule(name, false, stored.get().nextOccurrenceAfter(now));
        }

        @Override
        String unchanged(String what) {
            return what + " was not paused";
        }
    }
}
