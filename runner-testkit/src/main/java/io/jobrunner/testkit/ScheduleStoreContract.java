package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.ScheduleFiring;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every store must do with recurring jobs: keep definitions and positions, and fire each
 * occurrence once however many schedulers try. Mixed into {@link JobRequestStoreContractTest}.
 */
interface ScheduleStoreContract {

    /** The store under test, empty at the start of each test. */
    JobRequestStore store();

    private static ScheduledJob schedule(String name, String spec, boolean allowOverlap, Instant nextRunAt) {
        return new ScheduledJob(name, spec, "UTC", "report", null, "{\"n\":1}", null, allowOverlap,
                RecurringJob.MissedRuns.RUN_ONCE, nextRunAt, null, null);
    }

    private static NewJobRequest occurrence(String name, Instant at) {
        return new NewJobRequest("report", null, "{\"n\":1}", "schedule:" + name + "@" + at, null, 1, "test");
    }

    @Test
    default void aScheduleIsSavedFoundListedAndDeleted() {
        Instant next = Instant.parse("2030-01-01T00:05:00Z");
        ScheduledJob saved = store().saveSchedule(schedule("b-report", "every 5 minutes", false, next));
        store().saveSchedule(schedule("a-report", "0 0 2 * * *", true, next));

        assertThat(saved.nextRunAt()).isEqualTo(next);
        assertThat(saved.missedRuns()).isEqualTo(RecurringJob.MissedRuns.RUN_ONCE);
        assertThat(store().findSchedule("b-report")).contains(saved);
        assertThat(store().listSchedules()).extracting(ScheduledJob::name).containsExactly("a-report", "b-report");
        assertThat(store().dueSchedules(next.minusMillis(1))).isEmpty();
        assertThat(store().dueSchedules(next)).hasSize(2);
        assertThat(store().deleteSchedule("b-report")).isTrue();
        assertThat(store().deleteSchedule("b-report")).isFalse();
        assertThat(store().findSchedule("b-report")).isEmpty();
    }

    @Test
    default void savingAScheduleAgainKeepsItsPositionUnlessItsTimingChanged() {
        Instant due = Instant.parse("2030-01-01T00:05:00Z");
        store().saveSchedule(schedule("nightly", "every 5 minutes", false, due));
        store().fireSchedule("nightly", due, due.plusSeconds(300), due, occurrence("nightly", due));

        ScheduledJob sameTiming = store().saveSchedule(schedule("nightly", "every 5 minutes", true, due.plusSeconds(3600)));
        assertThat(sameTiming.nextRunAt()).isEqualTo(due.plusSeconds(300));
        assertThat(sameTiming.allowOverlap()).isTrue();
        assertThat(sameTiming.lastOccurrence()).isEqualTo(due);

        ScheduledJob retimed = store().saveSchedule(schedule("nightly", "every 10 minutes", true, due.plusSeconds(3600)));
        assertThat(retimed.nextRunAt()).isEqualTo(due.plusSeconds(3600));
    }

    @Test
    default void anOccurrenceIsFiredOnceThenTheScheduleHasMovedOn() {
        Instant due = Instant.parse("2030-01-01T00:05:00Z");
        store().saveSchedule(schedule("tick", "every 5 minutes", true, due));

        ScheduleFiring fired = store().fireSchedule("tick", due, due.plusSeconds(300), due, occurrence("tick", due));
        ScheduleFiring again = store().fireSchedule("tick", due, due.plusSeconds(300), due, occurrence("tick", due));

        assertThat(fired.outcome()).isEqualTo(ScheduleFiring.Outcome.FIRED);
        assertThat(fired.request().dedupKey()).isEqualTo("schedule:tick@" + due);
        assertThat(fired.request().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(again.outcome()).isEqualTo(ScheduleFiring.Outcome.TAKEN);
        ScheduledJob after = store().findSchedule("tick").orElseThrow();
        assertThat(after.nextRunAt()).isEqualTo(due.plusSeconds(300));
        assertThat(after.lastOccurrence()).isEqualTo(due);
        assertThat(after.lastJobId()).isEqualTo(fired.request().id());
        assertThat(store().list(JobQuery.all())).hasSize(1);
        assertThat(store().fireSchedule("absent", due, due, due, occurrence("absent", due)).outcome())
                .isEqualTo(ScheduleFiring.Outcome.TAKEN);
    }

    @Test
    default void concurrentSchedulersFireAnOccurrenceOnce() throws Exception {
        Instant due = Instant.parse("2030-01-01T00:05:00Z");
        store().saveSchedule(schedule("race", "every 5 minutes", true, due));
        int schedulers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(schedulers);
        try {
            List<Future<ScheduleFiring>> firings = new ArrayList<>();
            for (int i = 0; i < schedulers; i++) {
                firings.add(pool.submit(() -> {
                    start.await();
                    return store().fireSchedule("race", due, due.plusSeconds(300), due, occurrence("race", due));
                }));
            }
            start.countDown();
            List<ScheduleFiring.Outcome> outcomes = new ArrayList<>();
            for (Future<ScheduleFiring> firing : firings) {
                outcomes.add(firing.get(30, TimeUnit.SECONDS).outcome());
            }
            assertThat(outcomes).containsOnlyOnce(ScheduleFiring.Outcome.FIRED)
                    .containsOnly(ScheduleFiring.Outcome.FIRED, ScheduleFiring.Outcome.TAKEN);
            assertThat(store().list(JobQuery.all())).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void anOccurrenceIsSkippedWhileThePreviousJobIsUnfinishedUnlessOverlapIsAllowed() {
        Instant first = Instant.parse("2030-01-01T00:05:00Z");
        Instant second = first.plusSeconds(300);
        Instant third = second.plusSeconds(300);
        store().saveSchedule(schedule("no-overlap", "every 5 minutes", false, first));
        JobRequest running = store().fireSchedule("no-overlap", first, second, first, occurrence("no-overlap", first))
                .request();
        store().claim(running.id(), "worker-a", Duration.ofMinutes(5)).orElseThrow();

        ScheduleFiring skipped = store().fireSchedule("no-overlap", second, third, second, occurrence("no-overlap", second));

        assertThat(skipped.outcome()).isEqualTo(ScheduleFiring.Outcome.SKIPPED_OVERLAP);
        assertThat(skipped.request()).isNull();
        assertThat(store().findSchedule("no-overlap").orElseThrow().nextRunAt()).isEqualTo(third);
        store().succeed(new Lease(running.id(), "worker-a", 1), null, null).orElseThrow();
        ScheduleFiring fired = store().fireSchedule("no-overlap", third, third.plusSeconds(300), third,
                occurrence("no-overlap", third));
        assertThat(fired.outcome()).isEqualTo(ScheduleFiring.Outcome.FIRED);
        assertThat(store().list(JobQuery.all())).hasSize(2);
    }

    @Test
    default void anOccurrenceWithoutARequestIsSkippedAndTheScheduleMovesOn() {
        Instant due = Instant.parse("2030-01-01T00:05:00Z");
        store().saveSchedule(schedule("skipper", "every 5 minutes", false, due));

        ScheduleFiring skipped = store().fireSchedule("skipper", due, due.plusSeconds(3600), due.plusSeconds(3000), null);

        assertThat(skipped.outcome()).isEqualTo(ScheduleFiring.Outcome.SKIPPED);
        ScheduledJob after = store().findSchedule("skipper").orElseThrow();
        assertThat(after.nextRunAt()).isEqualTo(due.plusSeconds(3600));
        assertThat(after.lastOccurrence()).isEqualTo(due.plusSeconds(3000));
        assertThat(after.lastJobId()).isNull();
        assertThat(store().list(JobQuery.all())).isEmpty();
    }
}
