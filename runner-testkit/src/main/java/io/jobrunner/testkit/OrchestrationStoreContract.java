package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.jobrunner.JobLimit;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every store must do with the rules every claim obeys, whoever claims: priorities order the
 * claims, pauses hold queues, job types and schedules. Mixed into {@link JobRequestStoreContractTest}.
 */
interface OrchestrationStoreContract {

    Duration LEASE = Duration.ofMinutes(5);

    /** The store under test, empty at the start of each test. */
    JobRequestStore store();

    private JobRequest stored(String type, String queue, int priority, Instant runAt) {
        return store().insert(new NewJobRequest(type, queue, "null", null, runAt, 3, "r").withPriority(priority)).request();
    }

    @Test
    default void claimsTakeHigherPrioritiesFirstAndTheLongestDueFirstWithinOne() {
        Instant now = Instant.now();
        JobRequest oldLow = stored("a", null, -5, now.minusSeconds(60));
        JobRequest plain = stored("a", null, 0, now.minusSeconds(50));
        JobRequest newHigh = stored("a", null, 10, now.minusSeconds(5));
        JobRequest oldHigh = stored("a", null, 10, now.minusSeconds(40));
        JobRequest laterHighest = stored("a", null, 100, now.plusSeconds(600));
        List<JobRequest> bulk = store().insertAll(List.of(
                new NewJobRequest("a", null, "null", null, null, 3, "r").withPriority(50),
                new NewJobRequest("a", null, "null", null, null, 3, "r").withPriority(-100))).stream()
                .map(InsertResult::request).toList();
        assertThat(bulk).extracting(JobRequest::priority).containsExactly(50, -100);
        assertThat(store().find(newHigh.id()).orElseThrow().priority()).isEqualTo(10);

        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 2)).extracting(JobRequest::id)
                .containsExactly(bulk.get(0).id(), oldHigh.id());
        List<Long> rest = new ArrayList<>();
        List<JobRequest> one;
        while (!(one = store().claimNext(ClaimFilter.any(), "w", LEASE, 1)).isEmpty()) {
            rest.add(one.get(0).id());
        }
        assertThat(rest).as("one at a time, in claim order; the request due later is not due")
                .containsExactly(newHigh.id(), plain.id(), oldLow.id(), bulk.get(1).id());
        assertThat(store().find(laterHighest.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void handOffsAreTakenInPriorityOrder() {
        JobRequest low = store().insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q", false)
                .withPriority(-1)).request();
        JobRequest high = store().insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q", false)
                .withPriority(5)).request();
        JobRequest plain = store().insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q", false)).request();

        assertThat(store().claimHandOffs("sqs", "q", Instant.now().plusSeconds(60), Duration.ofHours(1), 10))
                .extracting(JobRequest::id).containsExactly(high.id(), plain.id(), low.id());
    }

    @Test
    default void noClaimTakesARequestOfAPausedJobTypeOrQueueUntilResumed() {
        JobRequest typed = stored("paused-type", "q1", 0, null);
        JobRequest queued = stored("b", "paused-queue", 0, null);
        JobRequest defaultQueue = stored("c", null, 0, null);
        JobRequest free = stored("b", "q1", 0, null);
        JobRequest handedOff = store().insert(new NewJobRequest("paused-type", "q1", "null", null, null, 3, "sqs", "q",
                true)).request();
        JobRequest toHandOff = store().insert(new NewJobRequest("paused-type", "q1", "null", null, null, 3, "sqs", "q",
                false)).request();
        assertThat(store().pause(Pause.jobType("paused-type"))).isTrue();
        assertThat(store().pause(Pause.jobType("paused-type"))).as("paused already").isFalse();
        assertThat(store().pause(Pause.queue("paused-queue"))).isTrue();
        assertThat(store().pause(Pause.queue(Pause.DEFAULT_QUEUE))).isTrue();

        assertThat(store().claim(typed.id(), "w", LEASE)).isEmpty();
        assertThat(store().claim(handedOff.id(), "q", "w", LEASE)).isEmpty();
        assertThat(store().claimAll(List.of(handedOff.id()), "q", "w", LEASE)).isEmpty();
        assertThat(store().claimQueued(List.of(typed.id(), queued.id(), defaultQueue.id()), ClaimFilter.any(), "w", LEASE))
                .isEmpty();
        assertThat(store().claimHandOffs("sqs", "q", Instant.now().plusSeconds(60), Duration.ofMillis(1), 10))
                .as("the sweep hands off nothing a pause holds").isEmpty();
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).extracting(JobRequest::id)
                .containsExactly(free.id());
        JobRequest storedWhilePaused = store().insertClaimed(new NewJobRequest("paused-type", "q1", "null", null, null, 1,
                "r"), "w", LEASE).request();
        assertThat(storedWhilePaused.status()).as("stored queued, not claimed, while its type is paused")
                .isEqualTo(JobStatus.QUEUED);
        assertThat(store().paused()).as("each with the queued requests it holds, which may overlap")
                .extracting(PausedWork::pause, PausedWork::queued).containsExactly(
                tuple(Pause.queue(Pause.DEFAULT_QUEUE), 1L),
                tuple(Pause.queue("paused-queue"), 1L),
                tuple(Pause.jobType("paused-type"), 4L));
        assertThat(store().paused()).allSatisfy(paused -> assertThat(paused.since())
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60)));

        assertThat(store().resume(Pause.jobType("paused-type"))).isTrue();
        assertThat(store().resume(Pause.jobType("paused-type"))).as("not paused any more").isFalse();
        assertThat(store().claim(typed.id(), "w", LEASE)).isPresent();
        assertThat(store().claim(handedOff.id(), "q", "w", LEASE)).isPresent();
        assertThat(store().claimHandOffs("sqs", "q", Instant.now().plusSeconds(60), Duration.ofHours(1), 10))
                .extracting(JobRequest::id).containsExactly(toHandOff.id());
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).extracting(JobRequest::id)
                .containsExactly(toHandOff.id(), storedWhilePaused.id());
        assertThat(store().resume(Pause.queue("paused-queue"))).isTrue();
        assertThat(store().resume(Pause.queue(Pause.DEFAULT_QUEUE))).isTrue();
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).extracting(JobRequest::id)
                .containsExactly(queued.id(), defaultQueue.id());
        assertThat(store().paused()).isEmpty();
    }

    @Test
    default void aPausedScheduleIsNotDueAndResumesAtTheTimeGivenKeepingItsPausedStateWhenSavedAgain() {
        Instant due = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
        ScheduledJob schedule = new ScheduledJob("nightly", "every 1 hour", "UTC", "report", null, "{}", null, false,
                RecurringJob.MissedRuns.RUN_ONCE, due, null, null);
        store().saveSchedule(schedule);

        assertThat(store().pauseSchedule("nightly", true, null)).hasValueSatisfying(paused -> {
            assertThat(paused.paused()).isTrue();
            assertThat(paused.nextRunAt()).isEqualTo(due);
        });
        assertThat(store().dueSchedules(Instant.now())).isEmpty();
        assertThat(store().saveSchedule(schedule).paused()).as("defined again at a restart: still paused").isTrue();
        assertThat(store().fireSchedule("nightly", due, due.plusSeconds(3600), due,
                new NewJobRequest("report", null, "{}", null, null, 1, "r")).request()).as("a paused schedule fires nothing")
                .isNull();
        assertThat(store().pauseSchedule("unknown", true, null)).isEmpty();

        Instant next = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);
        assertThat(store().pauseSchedule("nightly", false, next)).hasValueSatisfying(resumed -> {
            assertThat(resumed.paused()).isFalse();
            assertThat(resumed.nextRunAt()).isEqualTo(next);
        });
        assertThat(store().pauseSchedule("nightly", false, Instant.now()).orElseThrow().nextRunAt())
                .as("resuming a schedule that is not paused leaves its position").isEqualTo(next);
    }

    private JobRequest keyed(String type, String key) {
        return store().insert(new NewJobRequest(type, null, "null", null, null, 3, "r").withConcurrencyKey(key)).request();
    }

    private void finish(JobRequest running) {
        store().succeed(Lease.of(running).orElseThrow(), null, null).orElseThrow();
    }

    @Test
    default void aTypesLimitCapsItsRunningRequestsWhoeverClaimsAndAFreedPlaceIsTakenAgain() {
        store().defineLimits(List.of(new JobLimit("limited", 2, 0, 0), new JobLimit("free", 0, 0, 0)));
        List<JobRequest> limited = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            limited.add(stored("limited", null, 0, null));
        }
        JobRequest free = stored("free", null, 0, null);
        JobRequest handedOff = store().insert(new NewJobRequest("limited", null, "null", null, null, 3, "sqs", "q", true))
                .request();

        List<JobRequest> first = store().claimNext(ClaimFilter.any(), "w", LEASE, 10);
        assertThat(first).extracting(JobRequest::id).as("two of the limited type, in claim order, and the free one")
                .containsExactly(limited.get(0).id(), limited.get(1).id(), free.id());
        assertThat(store().claim(limited.get(2).id(), "w", LEASE)).isEmpty();
        assertThat(store().claim(handedOff.id(), "q", "w", LEASE)).isEmpty();
        assertThat(store().claimAll(List.of(handedOff.id(), limited.get(3).id()), "q", "w", LEASE)).isEmpty();
        assertThat(store().claimQueued(List.of(limited.get(2).id(), limited.get(3).id()), ClaimFilter.any(), "w", LEASE))
                .isEmpty();
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).isEmpty();
        assertThat(store().claimHandOffs("sqs", "q", Instant.now().plusSeconds(60), Duration.ofMillis(1), 10))
                .as("the sweep hands off nothing of a type at its limit").isEmpty();
        assertThat(store().insertClaimed(new NewJobRequest("limited", null, "null", null, null, 1, "r"), "w", LEASE)
                .request().status()).as("a limited type's job is stored queued, for a claim that counts")
                .isEqualTo(JobStatus.QUEUED);
        assertThat(store().limits()).singleElement().isEqualTo(new JobLimit("limited", 2, 0, 2));

        finish(first.get(0));
        assertThat(store().claim(limited.get(3).id(), "w", LEASE)).as("a place is free").isPresent();
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).isEmpty();
        finish(first.get(1));
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).extracting(JobRequest::id)
                .containsExactly(limited.get(2).id());

        store().defineLimits(List.of(new JobLimit("limited", 0, 0, 0)));
        assertThat(store().limits()).as("a handler without the limit removes it").isEmpty();
        assertThat(store().claimNext(ClaimFilter.any(), "w", LEASE, 10)).hasSize(3);
    }

    @Test
    default void theHandOffSweepSendsNoMoreOfALimitedTypeThanItHasPlacesFree() {
        store().defineLimits(List.of(new JobLimit("capped", 3, 0, 0)));
        List<JobRequest> parked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            parked.add(store().insert(new NewJobRequest("capped", null, "null", null, null, 3, "sqs", "q", false)).request());
        }
        JobRequest free = store().insert(new NewJobRequest("free", null, "null", null, null, 3, "sqs", "q", false)).request();
        store().claim(parked.get(0).id(), "w", LEASE).orElseThrow();
        Instant horizon = Instant.now().plusSeconds(60);

        assertThat(store().claimHandOffs("sqs", "q", horizon, Duration.ofHours(1), 10)).extracting(JobRequest::id)
                .as("one place runs: two more are sent, and the type without a limit")
                .containsExactlyInAnyOrder(parked.get(1).id(), parked.get(2).id(), free.id());
        assertThat(store().claimHandOffs("sqs", "q", horizon, Duration.ofHours(1), 10))
                .as("the two sent and not yet claimed take the places left").isEmpty();
    }

    @Test
    default void aPerKeyLimitRunsOneJobOfAKeyAtATimeAndJobsOfOtherKeysOrWithoutOneBesideIt() {
        store().defineLimits(List.of(new JobLimit("per-key", 0, 1, 0)));
        JobRequest a1 = keyed("per-key", "account-a");
        JobRequest a2 = keyed("per-key", "account-a");
        JobRequest b1 = keyed("per-key", "account-b");
        JobRequest none = keyed("per-key", null);

        List<JobRequest> claimed = store().claimNext(ClaimFilter.any(), "w", LEASE, 10);

        assertThat(claimed).extracting(JobRequest::id).containsExactly(a1.id(), b1.id(), none.id());
        assertThat(claimed.get(0).concurrencyKey()).isEqualTo("account-a");
        assertThat(store().claim(a2.id(), "w", LEASE)).as("account-a runs already").isEmpty();
        finish(claimed.get(0));
        assertThat(store().claim(a2.id(), "w", LEASE)).isPresent();
    }

    @Test
    default void concurrentClaimersNeverRunMoreThanTheLimitAndEveryJobRunsOnce() throws Exception {
        store().defineLimits(List.of(new JobLimit("capped", 3, 0, 0)));
        List<NewJobRequest> rows = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            rows.add(new NewJobRequest("capped", null, "null", null, null, 1, "r"));
        }
        store().insertAll(rows);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Set<Long> done = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> claimers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String owner = "w" + t;
                claimers.add(threads.submit(() -> {
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (done.size() < 120 && System.nanoTime() < deadline) {
                        List<JobRequest> claimed = store().claimNext(ClaimFilter.any(), owner, LEASE, 2);
                        for (JobRequest request : claimed) {
                            most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                            assertThat(done.add(request.id())).as("claimed once: " + request.id()).isTrue();
                        }
                        Thread.sleep(2);
                        for (JobRequest request : claimed) {
                            holding.decrementAndGet();
                            finish(request);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> claimer : claimers) {
                claimer.get(90, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(done).hasSize(120);
        assertThat(most.get()).as("most claims held at once").isBetween(1, 3);
    }
}

