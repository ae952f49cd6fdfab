package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Recurring jobs on every runner: each occurrence fires once with several schedulers running,
 * overlapping runs are prevented, missed runs follow the schedule's policy. Mixed into
 * {@link JobRunnerContractTest}.
 */
interface RecurringJobContract {

    Duration TIMEOUT = Duration.ofSeconds(30);

    JobRunner runner();

    JobRequestStore store();

    ContractEffects effects();

    /** Another runner on the same settings, handlers and store, with these settings added. */
    JobRunner newRunner(Map<String, String> extraSettings);

    private List<JobRequest> firedBy(String schedule) {
        String prefix = "schedule:" + schedule + "@";
        return store().list(JobQuery.all()).stream()
                .filter(request -> request.dedupKey() != null && request.dedupKey().startsWith(prefix)).toList();
    }

    private static Map<String, String> schedulerOn() {
        return Map.of("JOB_RUNNER_SCHEDULER", "on", "JOB_RUNNER_SCHEDULER_INTERVAL", "100ms");
    }

    @Test
    default void aRecurringJobFiresOncePerOccurrenceWithTwoSchedulersRunning() {
        try (JobRunner first = newRunner(schedulerOn()); JobRunner second = newRunner(schedulerOn())) {
            second.schedules().define(RecurringJob.builder("contract-tick").schedule("* * * * * *")
                    .job(JobData.of("count", "tick")).allowOverlap().build());
            Await.until("four occurrences fired", TIMEOUT, () -> firedBy("contract-tick").size() >= 4);
            assertThat(first.schedules().remove("contract-tick")).isTrue();
        }
        // A scheduler pass that read the schedule just before its removal may still fire once; let it land.
        Instant settled = Instant.now().plusMillis(1500);
        Await.until("schedulers settled", TIMEOUT, () -> Instant.now().isAfter(settled));

        List<JobRequest> fired = firedBy("contract-tick");
        List<Instant> occurrences = fired.stream()
                .map(request -> Instant.parse(request.dedupKey().substring(request.dedupKey().indexOf('@') + 1)))
                .sorted().toList();
        for (int i = 1; i < occurrences.size(); i++) {
            assertThat(Duration.between(occurrences.get(i - 1), occurrences.get(i))).as("consecutive seconds")
                    .isEqualTo(Duration.ofSeconds(1));
        }
        for (JobRequest request : fired) {
            JobRequest done = runner().awaitCompletion(request.id(), TIMEOUT).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(1);
        }
        Await.holdsFor("each occurrence ran once", Duration.ofMillis(500),
                () -> effects().count("tick") == firedBy("contract-tick").size());
    }

    @Test
    default void anOccurrenceIsSkippedWhileThePreviousOnesJobStillRuns() {
        try (JobRunner scheduler = newRunner(schedulerOn())) {
            scheduler.schedules().define(RecurringJob.builder("contract-overlap").schedule("every 1 second")
                    .job(JobData.of("until-cancelled", "overlap")).build());
            Await.until("the first occurrence started", TIMEOUT, () -> effects().recorded("started").contains("overlap"));
            JobRequest running = firedBy("contract-overlap").get(0);
            Instant firstOccurrence = store().findSchedule("contract-overlap").orElseThrow().lastOccurrence();

            Await.until("two later occurrences came due", TIMEOUT, () -> store().findSchedule("contract-overlap")
                    .orElseThrow().lastOccurrence().isAfter(firstOccurrence.plusSeconds(1)));
            assertThat(firedBy("contract-overlap")).extracting(JobRequest::id).containsExactly(running.id());

            runner().cancel(running.id());
            assertThat(runner().awaitCompletion(running.id(), TIMEOUT).orElseThrow().status())
                    .isEqualTo(JobStatus.CANCELLED);
            Await.until("the next occurrence fired once the first ended", TIMEOUT,
                    () -> firedBy("contract-overlap").size() == 2);
            scheduler.schedules().remove("contract-overlap");
            Await.until("every fired job is cancelled and finished", TIMEOUT, () -> {
                List<JobRequest> fired = firedBy("contract-overlap");
                fired.forEach(request -> runner().cancel(request.id()));
                return fired.stream().allMatch(request -> store().find(request.id()).orElseThrow().status().isFinished());
            });
        }
    }

    @Test
    default void missedOccurrencesRunOnceOrAreSkippedAsTheScheduleSays() {
        Instant now = Instant.now();
        Instant tenMinutesAgo = now.minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES);
        store().saveSchedule(new ScheduledJob("contract-missed-once", "every 1 minute", "UTC", "count", null,
                "\"missed-once\"", null, false, RecurringJob.MissedRuns.RUN_ONCE, tenMinutesAgo, null, null));
        store().saveSchedule(new ScheduledJob("contract-missed-skip", "every 1 minute", "UTC", "count", null,
                "\"missed-skip\"", null, false, RecurringJob.MissedRuns.SKIP, tenMinutesAgo, null, null));

        runner().schedules().runDue();

        Instant latest = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Await.until("the catch-up run ran", TIMEOUT, () -> effects().count("missed-once") == 1);
        assertThat(firedBy("contract-missed-once")).singleElement().satisfies(request ->
                assertThat(request.dedupKey()).isIn(JobSchedules.occurrenceKey("contract-missed-once", latest),
                        JobSchedules.occurrenceKey("contract-missed-once", latest.minus(1, ChronoUnit.MINUTES))));
        assertThat(firedBy("contract-missed-skip")).isEmpty();
        for (String name : List.of("contract-missed-once", "contract-missed-skip")) {
            ScheduledJob after = store().findSchedule(name).orElseThrow();
            assertThat(after.nextRunAt()).isAfter(now);
            assertThat(runner().schedules().remove(name)).isTrue();
        }
        Await.holdsFor("nothing more ran", Duration.ofMillis(300), () -> effects().count("missed-once") == 1
                && effects().count("missed-skip") == 0);
    }
}
