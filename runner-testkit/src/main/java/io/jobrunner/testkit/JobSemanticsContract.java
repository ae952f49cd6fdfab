package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobData;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.ContractHandlers.Slow;
import io.jobrunner.testkit.ContractHandlers.SlowJob;
import io.jobrunner.testkit.ContractHandlers.Spaced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Job policies on every runner: retries by policy with their backoff, idempotence, error classes,
 * timeouts, the attempt history, dedup under concurrent dispatch. Mixed into
 * {@link JobRunnerContractTest}, so every backend's contract class runs these too.
 */
interface JobSemanticsContract {

    Duration TIMEOUT = Duration.ofSeconds(30);

    JobRunner runner();

    JobRequestStore store();

    ContractEffects effects();

    private JobRequest finished(long id) {
        return Await.value("job request " + id + " is finished", TIMEOUT,
                () -> store().find(id).orElseThrow(), request -> request.status().isFinished());
    }

    @Test
    default void aHandlersLogLinesAreKeptWithItsRequestAndItRunsWithTheJobInTheMdc() throws Exception {
        JobRequest dispatched = runner().dispatchJob(JobData.of("logged", 7));

        JobRequest done = finished(dispatched.id());

        assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(new ObjectMapper().readValue(done.resultJson(), Map.class)).as("the MDC the handler ran under")
                .isEqualTo(Map.of("jobId", String.valueOf(dispatched.id()), "jobType", "logged", "jobAttempt", "1"));
        JobLog log = runner().jobs().log(dispatched.id());
        assertThat(log.lines()).extracting(JobLogLine::message).containsExactly("starting 7", "half way");
        assertThat(log.lines()).extracting(JobLogLine::level).containsExactly(JobLogLine.Level.INFO, JobLogLine.Level.WARN);
        assertThat(log.lines()).extracting(JobLogLine::attempt).containsOnly(1);
        assertThat(log.lines().get(0).at()).isBetween(done.startedAt().minusSeconds(1), done.finishedAt().plusSeconds(1));
        assertThat(log.dropped()).isZero();
    }

    @Test
    default void anIdempotentJobIsRetriedAsItsPolicySaysWithBackoffBetweenAttemptsAndEachAttemptRecorded() {
        JobRequest dispatched = runner().dispatchJob(JobData.of("spaced", "spaced-key"));
        assertThat(dispatched.maxAttempts()).isEqualTo(3);

        JobRequest failed = finished(dispatched.id());

        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(effects().count("spaced-key")).isEqualTo(3);
        List<JobAttempt> history = failed.history();
        assertThat(history).extracting(JobAttempt::attempt).containsExactly(1, 2, 3);
        assertThat(history).extracting(JobAttempt::outcome).containsOnly(JobAttempt.Outcome.FAILED);
        for (int i = 0; i < 3; i++) {
            assertThat(history.get(i).error()).contains("IllegalStateException").contains("spaced failure " + (i + 1));
            assertThat(history.get(i).worker()).isNotBlank();
            assertThat(history.get(i).finishedAt()).isAfterOrEqualTo(history.get(i).startedAt());
        }
        // Attempt n+1 waits at least half of base * 2^(n-1): the jitter never goes below half.
        Duration firstWait = Duration.between(history.get(0).finishedAt(), history.get(1).startedAt());
        Duration secondWait = Duration.between(history.get(1).finishedAt(), history.get(2).startedAt());
        assertThat(firstWait).isGreaterThanOrEqualTo(Spaced.BACKOFF.dividedBy(2).minusMillis(20));
        assertThat(secondWait).isGreaterThanOrEqualTo(Spaced.BACKOFF.minusMillis(20));
    }

    @Test
    default void aJobNotDeclaredIdempotentIsNeverRetriedAutomatically() {
        JobRequest dispatched = runner().dispatchJob(JobData.of("fragile", "fragile-key"));
        assertThat(dispatched.maxAttempts()).isEqualTo(1);

        JobRequest failed = finished(dispatched.id());

        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.history()).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(JobAttempt.Outcome.FAILED);
            assertThat(attempt.error()).contains("fragile failure 1");
        });
        assertThat(effects().count("fragile-key")).isEqualTo(1);
        assertThatThrownBy(() -> runner().dispatchJob(JobData.builder("fragile").payload("x").maxAttempts(3).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fragile' is not declared idempotent")
                .hasMessageContaining("maxAttempts(3)");
    }

    @Test
    default void anErrorThePolicyDoesNotRetryFailsTheJobAtOnce() {
        JobRequest failed = finished(runner().dispatchJob(JobData.of("picky", "picky-key")).id());

        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.maxAttempts()).isEqualTo(5);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).contains("IllegalArgumentException").contains("picky refuses input 1");
        assertThat(effects().count("picky-key")).isEqualTo(1);
    }

    @Test
    default void aJobOverItsTimeoutIsInterruptedAndFailedWithATimeoutError() {
        JobRequest failed = finished(runner().dispatchJob(JobData.of("slow", new Slow("cooperative", true))).id());

        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.lastError()).contains("JobTimeoutException").contains("timed out after "
                + SlowJob.TIMEOUT.toMillis() + " ms");
        assertThat(failed.history()).singleElement()
                .satisfies(attempt -> assertThat(attempt.outcome()).isEqualTo(JobAttempt.Outcome.TIMED_OUT));
        Duration ran = Duration.between(failed.history().get(0).startedAt(), failed.history().get(0).finishedAt());
        assertThat(ran).isGreaterThanOrEqualTo(SlowJob.TIMEOUT.minusMillis(20)).isLessThan(Duration.ofSeconds(10));
        Await.until("the handler saw the interrupt", TIMEOUT, () -> effects().recorded("interrupted").contains("cooperative"));
        assertThat(effects().recorded("budget")).singleElement().satisfies(budget -> {
            assertThat(budget).startsWith("cooperative:");
            assertThat(Long.parseLong(budget.substring("cooperative:".length())))
                    .as("remainingTime() counts down the policy's timeout").isBetween(1L, SlowJob.TIMEOUT.toMillis());
        });
    }

    @Test
    default void aResultArrivingAfterTheTimeoutDoesNotOverwriteIt() {
        JobRequest timedOut = finished(runner().dispatchJob(JobData.of("slow", new Slow("stubborn", false))).id());
        assertThat(timedOut.status()).isEqualTo(JobStatus.FAILED);
        JobAttempt attempt = timedOut.history().get(0);
        assertThat(Duration.between(attempt.startedAt(), attempt.finishedAt())).as("recorded after the grace period")
                .isGreaterThanOrEqualTo(SlowJob.TIMEOUT.plusMillis(900));

        Await.until("the stubborn handler returned", TIMEOUT, () -> effects().recorded("late").contains("stubborn"));

        Await.holdsFor("the request to stay failed with no result", Duration.ofSeconds(1), () -> {
            JobRequest now = store().find(timedOut.id()).orElseThrow();
            return now.status() == JobStatus.FAILED && now.resultJson() == null;
        });
        JobRequest after = store().find(timedOut.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.FAILED);
        assertThat(after.resultJson()).isNull();
        assertThat(after.history()).extracting(JobAttempt::outcome).containsExactly(JobAttempt.Outcome.TIMED_OUT);
    }

    @Test
    default void concurrentDispatchesOfOneDedupKeyStoreAndRunOneJob() throws Exception {
        int dispatchers = 8;
        CyclicBarrier start = new CyclicBarrier(dispatchers);
        ExecutorService pool = Executors.newFixedThreadPool(dispatchers);
        try {
            List<CompletableFuture<JobRequest>> dispatches = new ArrayList<>();
            for (int i = 0; i < dispatchers; i++) {
                dispatches.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return runner().dispatchJob(JobData.builder("count").payload("raced").dedupKey("raced-key").build());
                }, pool));
            }
            Set<Long> ids = new java.util.HashSet<>();
            for (CompletableFuture<JobRequest> dispatch : dispatches) {
                ids.add(dispatch.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).id());
            }

            assertThat(ids).hasSize(1);
            JobRequest done = finished(ids.iterator().next());
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(1);
            Await.holdsFor("one run only", Duration.ofMillis(500), () -> effects().count("raced") == 1);
            assertThat(effects().count("raced")).isEqualTo(1);
            assertThat(store().list(JobQuery.all()).stream().map(JobRequest::dedupKey).collect(Collectors.toList()))
                    .containsExactly("raced-key");
        } finally {
            pool.shutdownNow();
        }
    }
}
