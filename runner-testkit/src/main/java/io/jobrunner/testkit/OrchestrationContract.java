package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.jobrunner.JobData;
import io.jobrunner.JobLimit;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules every claim obeys, on every runner: a job keeps its priority, and a paused job type or
 * queue holds its jobs queued — whatever process was handed them — until resumed, when they run
 * once. Mixed into {@link JobRunnerContractTest}.
 */
interface OrchestrationContract {

    Duration TIMEOUT = Duration.ofSeconds(30);
    /** Long enough for every runner to have been handed the job and refused it. */
    Duration HELD_FOR = Duration.ofMillis(1500);

    JobRunner runner();

    JobRequestStore store();

    ContractEffects effects();

    private JobStatus status(long id) {
        return store().find(id).orElseThrow().status();
    }

    private JobRequest finished(long id) {
        return Await.value("job request " + id + " is finished", TIMEOUT, () -> store().find(id).orElseThrow(),
                request -> request.status().isFinished());
    }

    @Test
    default void aJobKeepsThePriorityItWasDispatchedWithAndAPriorityOutOfRangeIsRefused() {
        JobRequest urgent = runner().dispatchJob(JobData.builder("count").payload("priority-urgent").priority(40).build());
        JobRequest plain = runner().dispatchJob(JobData.of("count", "priority-plain"));

        assertThat(finished(urgent.id())).satisfies(done -> {
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.priority()).isEqualTo(40);
        });
        assertThat(finished(plain.id()).priority()).as("the type's policy gives none").isZero();
        assertThatThrownBy(() -> JobData.builder("count").payload("x").priority(101).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between -100 and 100").hasMessageContaining("got 101");
    }

    @Test
    default void aPausedJobTypeHoldsItsJobsQueuedUntilResumedThenEachRunsOnce() {
        Pause pause = Pause.jobType("count");
        assertThat(runner().jobs().pause(pause)).isTrue();
        JobRequest held;
        try {
            assertThat(runner().jobs().pause(pause)).as("paused already").isFalse();
            held = runner().dispatchJob(JobData.of("count", "paused-type"));
            JobRequest other = runner().dispatchJob(JobData.of("sum", new ContractHandlers.Numbers(List.of(2, 3))));

            assertThat(finished(other.id()).status()).as("another type runs meanwhile").isEqualTo(JobStatus.SUCCEEDED);
            Await.holdsFor("the paused type's job stays queued and unrun", HELD_FOR,
                    () -> status(held.id()) == JobStatus.QUEUED && effects().count("paused-type") == 0);
            assertThat(runner().jobs().paused()).singleElement().satisfies(paused -> {
                assertThat(paused.pause()).isEqualTo(pause);
                assertThat(paused.queued()).isEqualTo(1);
            });
        } finally {
            assertThat(runner().jobs().resume(pause)).isTrue();
        }

        JobRequest done = finished(held.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        Await.holdsFor("it ran once", Duration.ofMillis(300), () -> effects().count("paused-type") == 1);
        assertThat(runner().jobs().paused()).isEmpty();
        assertThat(runner().jobs().resume(pause)).as("not paused any more").isFalse();
    }

    @Test
    default void aPausedQueueHoldsItsJobsAndNoOtherQueuesUntilResumed() {
        Pause pause = Pause.queue("paused-lane");
        runner().jobs().pause(pause);
        JobRequest held;
        try {
            held = runner().dispatchJob(JobData.builder("count").payload("paused-lane").queue("paused-lane").build());
            JobRequest free = runner().dispatchJob(JobData.builder("count").payload("free-lane").queue("free-lane").build());

            assertThat(finished(free.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
            Await.holdsFor("the paused queue's job stays queued", HELD_FOR, () -> status(held.id()) == JobStatus.QUEUED);
            assertThat(runner().jobs().paused()).extracting(PausedWork::pause).containsExactly(pause);
        } finally {
            runner().jobs().resume(pause);
        }

        assertThat(finished(held.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects().count("paused-lane")).isEqualTo(1);
    }

    /** The recorded runs of a kind, {@code key:startMs:endMs}, by start. */
    private List<long[]> runs(String kind, String keyPrefix) {
        return effects().recorded(kind).stream().filter(run -> run.startsWith(keyPrefix)).map(run -> {
            String[] parts = run.split(":");
            return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
        }).sorted(java.util.Comparator.comparingLong(run -> run[0])).toList();
    }

    private static void assertOneAtATime(List<long[]> runs, int expected) {
        assertThat(runs).hasSize(expected);
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i)[0]).as("run " + (i + 1) + " starts after run " + i + " ended")
                    .isGreaterThanOrEqualTo(runs.get(i - 1)[1]);
        }
    }

    @Test
    default void aJobTypeLimitedToOneRunsItsJobsOneAtATime() {
        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(JobData.of("exclusive", new ContractHandlers.Held("limit-" + i, 150)));
        }

        for (JobRequest request : runner().dispatchJobs(jobs)) {
            assertThat(finished(request.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        }

        assertOneAtATime(runs("exclusive", "limit-"), 4);
        assertThat(runner().jobs().limits()).extracting(JobLimit::jobType, JobLimit::maxRunning)
                .contains(tuple("exclusive", 1));
    }

    @Test
    default void aPerKeyLimitRunsTheJobsOfOneKeyOneAtATime() {
        List<JobData> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(JobData.builder("one-per-key").payload(new ContractHandlers.Held("key-a" + i, 150))
                    .concurrencyKey("account-a").build());
            jobs.add(JobData.builder("one-per-key").payload(new ContractHandlers.Held("key-b" + i, 150))
                    .concurrencyKey("account-b").build());
        }

        for (JobRequest request : runner().dispatchJobs(jobs)) {
            JobRequest done = finished(request.id());
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.concurrencyKey()).startsWith("account-");
        }

        assertOneAtATime(runs("one-per-key", "key-a"), 3);
        assertOneAtATime(runs("one-per-key", "key-b"), 3);
    }

    @Test
    default void aRateLimitedTypeStartsNoMoreThanItsLimitInAnyWindowAndTheRestLater() {
        List<JobRequest> dispatched = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            dispatched.add(runner().dispatchJob(JobData.of("rated", "rated-" + i)));
        }
        List<JobRequest> done = new ArrayList<>();
        for (JobRequest request : dispatched) {
            JobRequest finished = Await.value("job request " + request.id() + " is finished",
                    TIMEOUT.plus(ContractHandlers.Rated.WINDOW.multipliedBy(3)), () -> store().find(request.id()).orElseThrow(),
                    r -> r.status().isFinished());
            assertThat(finished.status()).isEqualTo(JobStatus.SUCCEEDED);
            done.add(finished);
        }
        List<java.time.Instant> starts = done.stream().map(JobRequest::startedAt).sorted().toList();
        for (int i = ContractHandlers.Rated.STARTS; i < starts.size(); i++) {
            assertThat(java.time.Duration.between(starts.get(i - ContractHandlers.Rated.STARTS), starts.get(i)))
                    .as("start %d is a window after start %d", i, i - ContractHandlers.Rated.STARTS)
                    .isGreaterThanOrEqualTo(ContractHandlers.Rated.WINDOW.minusMillis(200));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(effects().count("rated-" + i)).isEqualTo(1);
        }
    }

    @Test
    default void anIsolatedJobRunsInAChildJvmAndItsOutOfMemoryErrorFailsOnlyItsAttempt() {
        JobRequest isolated = finished(runner().dispatchJob(JobData.of("isolated", "pid")).id());
        assertThat(isolated.status()).as(isolated.toString()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(isolated.result(Long.class)).isPresent().get().as("another process than this test's")
                .isNotEqualTo(ProcessHandle.current().pid());
        JobRequest hog = finished(runner().dispatchJob(JobData.of("isolated", "hog")).id());
        assertThat(hog.status()).isEqualTo(JobStatus.FAILED);
        assertThat(hog.lastError()).contains("ran out of memory");
        assertThat(finished(runner().dispatchJob(JobData.of("count", "after-the-hog")).id()).status())
                .as("the worker runs on").isEqualTo(JobStatus.SUCCEEDED);
    }
}
