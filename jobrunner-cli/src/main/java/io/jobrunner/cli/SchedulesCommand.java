package io.jobrunner.cli;

import io.jobrunner.JobRequest;
import io.jobrunner.ScheduledJob;
import io.jobrunner.Setting;
import io.jobrunner.dashboard.JobJson;
import io.jobrunner.dashboard.TimeText;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.NewJobRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jobrunner schedules}: the recurring jobs, and one fired now on demand. */
@Command(name = "schedules", description = "List the recurring jobs with their next and last runs ('paused' for a"
        + " paused one: 'jobrunner resume --schedule NAME'); 'trigger NAME' dispatches a schedule's job now, outside its"
        + " timing.")
final class SchedulesCommand extends StoreReport {

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        List<ScheduledJob> schedules = store.spi().listSchedules();
        if (json) {
            out.println(JobJson.write(schedules.stream().map(JobJson::schedule).toList()));
            return 0;
        }
        if (schedules.isEmpty()) {
            out.println("(no recurring jobs in " + store.description() + ")");
            return 0;
        }
        Table table = new Table("NAME", "SCHEDULE", "ZONE", "TYPE", "NEXT RUN", "LAST RUN", "LAST JOB");
        for (ScheduledJob schedule : schedules) {
            table.row(schedule.name(), schedule.spec(), schedule.zone(), schedule.jobType(),
                    schedule.paused() ? "paused" : TimeText.relative(schedule.nextRunAt(), now),
                    TimeText.relative(schedule.lastOccurrence(), now),
                    schedule.lastJobId());
        }
        table.print(out);
        return 0;
    }

    /**
     * The recurring job's job, stored now for the runner {@code JOB_RUNNER} names; its timing is left
     * alone. Database workers are woken at once; other runners take it at their next poll or sweep.
     */
    static JobRequest dispatchNow(Store store, Settings settings, String name) {
        String runner = settings.string(Setting.RUNNER).toLowerCase(Locale.ROOT);
        ScheduledJob schedule = store.spi().findSchedule(name).orElseThrow(() -> new IllegalStateException(
                "No recurring job named '" + name + "' in " + store.description() + "; 'jobrunner schedules' lists them"));
        int maxAttempts = schedule.maxAttempts() != null ? schedule.maxAttempts() : settings.integer(Setting.MAX_ATTEMPTS);
        return store.spi().insert(new NewJobRequest(schedule.jobType(), schedule.queueName(), schedule.payloadJson(),
                null, null, maxAttempts, runner).forWorkers()).request();
    }

    /** {@code jobrunner schedules trigger NAME}: the schedule's job, dispatched now; its timing is left as it is. */
    @Command(name = "trigger", description = "Dispatch a recurring job's job now, for the runner JOB_RUNNER names"
            + " (default inprocess-async); its next run stays where it was.")
    int trigger(@Parameters(paramLabel = "NAME", description = "the recurring job's name") String name) {
        Settings settings = Settings.fromEnvironment();
        try (Store store = Store.open(settings)) {
            JobRequest dispatched = dispatchNow(store, settings, name);
            spec.commandLine().getOut().printf("Dispatched %s as job request %d (runner %s)%n", dispatched.jobType(),
                    dispatched.id(), dispatched.runner());
        }
        return 0;
    }
}
