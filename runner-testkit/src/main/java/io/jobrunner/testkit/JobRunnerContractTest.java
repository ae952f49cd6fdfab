package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.DispatchRejectedException;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobCounts;
import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadException;
import io.jobrunner.PayloadTooLargeException;
import io.jobrunner.UnknownHandlerException;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.ContractHandlers.Flaky;
import io.jobrunner.testkit.ContractHandlers.Greeting;
import io.jobrunner.testkit.ContractHandlers.Numbers;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every runner must do, whatever the backend. Subclass it once per runner: name the runner
 * and its settings in {@link #environment()} and give an empty store from {@link #openStore()}.
 */
public abstract class JobRunnerContractTest implements JobSemanticsContract, TransactionalDispatchContract,
        RecurringJobContract, OrchestrationContract, WorkflowContract {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    protected ContractEffects effects;
    protected JobRequestStore store;
    protected JobRunner runner;

    @Override
    public JobRunner runner() {
        return runner;
    }

    @Override
    public JobRequestStore store() {
        return store;
    }

    @Override
    public ContractEffects effects() {
        return effects;
    }

    @Override
    public JobRunner newRunner(Map<String, String> extraSettings) {
        Map<String, String> combined = new HashMap<>(settings());
        combined.putAll(extraSettings);
        return JobRunners.builder().environment(combined).handlers(handlers()).store(store).build();
    }

    /** A new connection to the store's PostgreSQL database; {@code null} (the default) when the store is another kind. */
    @Override
    public Connection callerConnection() throws SQLException {
        return null;
    }

    /** Hand-offs the backend has received (messages, invocations); empty (the default) for in-process backends. */
    @Override
    public OptionalLong handOffsSeen() {
        return OptionalLong.empty();
    }

    /** The runner's settings: at least {@code JOB_RUNNER}. Short delays are added unless set here. */
    protected abstract Map<String, String> environment();

    /** A store holding no requests; closed after each test. */
    protected abstract JobRequestStore openStore();

    /** The name {@link JobRunner#name()} must report. */
    protected abstract String expectedRunnerName();

    /** The runner name stored on dispatched requests: the runner's own unless it stores them for another's workers. */
    protected String expectedStoredRunner() {
        return expectedRunnerName();
    }

    /** Where the handlers leave their effects; in memory unless the handlers run in another process. */
    protected ContractEffects newEffects() {
        return ContractEffects.inMemory();
    }

    @BeforeEach
    void startRunner() {
        effects = newEffects();
        store = openStore();
        HandlerRegistry handlers = handlers();
        Map<String, String> settings = settings();
        runner = JobRunners.builder().environment(settings).handlers(handlers).store(store).build();
        startWorkers(settings, handlers, store);
    }

    @AfterEach
    void stopRunner() {
        try {
            stopWorkers();
        } finally {
            try {
                if (runner != null) {
                    runner.close();
                }
            } finally {
                if (store != null) {
                    store.close();
                }
            }
        }
    }

    /** For backends whose work runs in separate workers: start them on the same handlers and store. */
    protected void startWorkers(Map<String, String> settings, HandlerRegistry handlers, JobRequestStore store) {
    }

    /** Stops what {@link #startWorkers} started. */
    protected void stopWorkers() {
    }

    protected Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER_RETRY_BASE_DELAY", "20ms");
        settings.put("JOB_RUNNER_RETRY_MAX_DELAY", "100ms");
        settings.put("JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES", "2048");
        settings.put("JOB_RUNNER_RECOVERY_INTERVAL", "250ms");
        settings.putAll(environment());
        return settings;
    }

    protected HandlerRegistry handlers() {
        return ContractHandlers.registry(effects);
    }

    protected JobRequest awaitFinished(long id) {
        return Await.value("job request " + id + " is finished", TIMEOUT,
                () -> store.find(id).orElseThrow(), request -> request.status().isFinished());
    }

    @Test
    void reportsItsNameAndUsesTheGivenStore() {
        assertThat(runner.name()).isEqualTo(expectedRunnerName());
        JobRequest job = runner.dispatchJob(JobData.of("sum", new Numbers(List.of(1))));
        assertThat(runner.jobs().find(job.id())).as("the runner reads the given store").isPresent();
        assertThat(store.find(job.id())).isPresent();
        assertThat(runner.jobs().description()).isEqualTo(store.description());
    }

    @Test
    void theApplicationsViewFindsListsCountsAwaitsAndPurges() {
        JobRequest first = runner.dispatchJob(JobData.of("sum", new Numbers(List.of(1, 2))));
        JobRequest second = runner.dispatchJob(JobData.builder("sum").payload(new Numbers(List.of(3))).dedupKey("view-2").build());

        JobRequests jobs = runner.jobs();
        assertThat(jobs.await(first.id(), TIMEOUT).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(jobs.await("view-2", TIMEOUT).orElseThrow().id()).isEqualTo(second.id());
        assertThat(jobs.list(JobQuery.all().withJobType("sum").withStatus(JobStatus.SUCCEEDED)))
                .extracting(JobRequest::id).containsExactly(first.id(), second.id());
        assertThat(jobs.list(JobQuery.all().withJobType("sum").after(first.id()).limit(1)))
                .extracting(JobRequest::id).containsExactly(second.id());
        JobCounts counts = jobs.counts();
        assertThat(counts.of("sum", JobStatus.SUCCEEDED)).isEqualTo(2);
        assertThat(counts.of(JobStatus.SUCCEEDED)).isEqualTo(2);
        assertThat(counts.of(JobStatus.QUEUED)).isZero();
        assertThat(counts.total()).isEqualTo(2);

        assertThat(jobs.purgeFinished(Duration.ofHours(1))).as("finished just now: kept").isZero();
        Await.until("the finish times are in the past", TIMEOUT, () -> jobs.purgeFinished(Duration.ZERO) == 2);
        assertThat(jobs.find(first.id())).isEmpty();
        assertThat(jobs.findByDedupKey("view-2")).isEmpty();
        assertThatThrownBy(() -> jobs.purgeFinished(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Duration.ofDays(14)");
    }

    @Test
    void aTaskRunsWithItsPayloadReadIntoTheHandlersType() {
        runner.dispatchTask("greet", Map.of("name", "Ada", "n", 3));
        runner.dispatchTask("greet", new Greeting("Grace", 4));

        Await.until("both tasks ran", TIMEOUT, () -> effects.recorded("greet").size() == 2);
        assertThat(effects.recorded("greet")).containsExactlyInAnyOrder("Ada:3", "Grace:4");
        assertThat(store.list(JobQuery.all())).isEmpty();
    }

    @Test
    void aJobIsStoredThenSucceedsWithItsResultAndProgress() {
        JobRequest dispatched = runner.dispatchJob(JobData.builder("sum").payload(new Numbers(List.of(1, 2, 3, 4)))
                .queue("maths").build());

        assertThat(dispatched.id()).isPositive();
        assertThat(dispatched.jobType()).isEqualTo("sum");
        assertThat(dispatched.queueName()).isEqualTo("maths");
        assertThat(dispatched.runner()).isEqualTo(expectedStoredRunner());
        JobRequest done = awaitFinished(dispatched.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.resultJson()).isEqualToIgnoringWhitespace("{\"sum\":10}");
        assertThat(done.resultMessage()).isEqualTo("adding 4 numbers");
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.lastError()).isNull();
        assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
    }

    @Test
    void aJobThatKeepsFailingIsRecordedFailedWithItsErrorOnceItsAttemptsAreSpent() {
        JobRequest dispatched = runner.dispatchJob(JobData.builder("flaky").payload(new Flaky("hopeless", 99))
                .maxAttempts(2).build());

        JobRequest failed = awaitFinished(dispatched.id());
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.lastError()).contains("IllegalStateException").contains("flaky failure 2 of 99");
        assertThat(effects.count("hopeless")).isEqualTo(2);
    }

    @Test
    void aJobThatFailsThenSucceedsIsRetriedAndKeepsItsAttemptCount() {
        JobRequest dispatched = runner.dispatchJob(JobData.builder("flaky").payload(new Flaky("twice", 2))
                .maxAttempts(3).build());

        JobRequest done = awaitFinished(dispatched.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.resultJson()).isEqualTo("\"ok after 3\"");
        assertThat(done.lastError()).contains("flaky failure 2 of 2");
        assertThat(done.history()).extracting(JobAttempt::outcome).containsExactly(JobAttempt.Outcome.FAILED,
                JobAttempt.Outcome.FAILED, JobAttempt.Outcome.SUCCEEDED);
        assertThat(done.history().get(1).error()).contains("flaky failure 2 of 2");
        assertThat(done.history().get(2).error()).isNull();
    }

    @Test
    void aDedupKeyThatIsStoredReturnsTheStoredRequestAndRunsNothingMore() {
        JobRequest first = runner.dispatchJob(JobData.builder("count").payload("dedup").dedupKey("nightly-2026-11-23").build());
        awaitFinished(first.id());
        JobRequest second = runner.dispatchJob(JobData.builder("count").payload("dedup").dedupKey("nightly-2026-11-23").build());

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects.count("dedup")).isEqualTo(1);
        assertThat(store.list(JobQuery.all())).hasSize(1);
    }

    @Test
    void aFailedJobDispatchedAgainWithItsDedupKeyRunsAgainWithItsHistoryKept() {
        JobData job = JobData.builder("flaky").payload(new Flaky("second-chance", 1)).dedupKey("second-chance")
                .maxAttempts(1).build();
        JobRequest first = awaitFinished(runner.dispatchJob(job).id());
        assertThat(first.status()).isEqualTo(JobStatus.FAILED);

        JobRequest again = runner.dispatchJob(job);

        assertThat(again.id()).isEqualTo(first.id());
        JobRequest done = awaitFinished(again.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.lastError()).contains("flaky failure 1 of 1");
        assertThat(effects.count("second-chance")).isEqualTo(2);
        assertThat(store.list(JobQuery.all())).hasSize(1);
    }

    @Test
    void aFailedJobRetriedByHandRunsAgainWithItsHistoryKept() {
        JobRequest failed = awaitFinished(runner.dispatchJob(JobData.builder("flaky").payload(new Flaky("by-hand", 2))
                .maxAttempts(2).build()).id());
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);

        JobRequest requeued = runner.retry(failed.id()).orElseThrow();

        assertThat(requeued.id()).isEqualTo(failed.id());
        JobRequest done = runner.awaitCompletion(failed.id(), TIMEOUT).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.maxAttempts()).isEqualTo(4);
        assertThat(done.resultJson()).isEqualTo("\"ok after 3\"");
        assertThat(runner.retry(failed.id())).isEmpty();
    }

    @Test
    void aDedupKeyDerivedFromThePayloadStoresEqualWorkOnce() {
        JobRequest first = runner.dispatchJob(JobData.builder("sum").payload(new Numbers(List.of(1, 2))).dedupByPayload().build());
        JobRequest same = runner.dispatchJob(JobData.builder("sum").payload(Map.of("values", List.of(1, 2))).dedupByPayload().build());
        JobRequest other = runner.dispatchJob(JobData.builder("sum").payload(new Numbers(List.of(2, 1))).dedupByPayload().build());

        assertThat(first.dedupKey()).startsWith("sum:");
        assertThat(same.id()).isEqualTo(first.id());
        assertThat(other.id()).isNotEqualTo(first.id());
        assertThat(awaitFinished(first.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(awaitFinished(other.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.list(JobQuery.all())).hasSize(2);
    }

    @Test
    void aDelayedJobDoesNotStartBeforeItsRunAt() {
        Instant runAt = Instant.now().plusMillis(600);
        JobRequest dispatched = runner.dispatchJob(JobData.builder("count").payload("later").runAt(runAt).build());

        JobRequest done = awaitFinished(dispatched.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.startedAt()).isAfterOrEqualTo(runAt.minusMillis(5));
        assertThat(effects.count("later")).isEqualTo(1);
    }

    /** Dispatches on another thread: {@code inprocess-sync} only returns once the job has run. */
    private CompletableFuture<JobRequest> dispatchInBackground(JobData job) {
        return CompletableFuture.supplyAsync(() -> runner.dispatchJob(job));
    }

    private JobRequest awaitStored(String dedupKey) {
        return Await.value("the job with key " + dedupKey + " is stored", TIMEOUT, () -> store.findByDedupKey(dedupKey),
                Optional::isPresent).orElseThrow();
    }

    @Test
    void aJobCancelledBeforeItRunsNeverRuns() throws Exception {
        Instant runAt = Instant.now().plusSeconds(2);
        CompletableFuture<JobRequest> dispatch = dispatchInBackground(JobData.builder("count").payload("cancelled-early")
                .dedupKey("cancel-before-run").runAt(runAt).build());
        JobRequest stored = awaitStored("cancel-before-run");

        JobRequest cancelled = runner.cancel(stored.id()).orElseThrow();

        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        dispatch.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Await.until("the run-at has passed", TIMEOUT, () -> Instant.now().isAfter(runAt.plusSeconds(2)));
        assertThat(effects.count("cancelled-early")).isZero();
        JobRequest after = store.find(stored.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(after.attempts()).isZero();
        assertThat(runner.cancel(stored.id())).isEmpty();
    }

    @Test
    void aRunningJobSeesTheCancelStopsAndEndsCancelled() throws Exception {
        CompletableFuture<JobRequest> dispatch = dispatchInBackground(JobData.builder("until-cancelled").payload("stop-me")
                .dedupKey("cancel-while-running").build());
        Await.until("the job started", TIMEOUT, () -> effects.recorded("started").contains("stop-me"));
        JobRequest running = store.findByDedupKey("cancel-while-running").orElseThrow();

        JobRequest flagged = runner.cancel(running.id()).orElseThrow();

        assertThat(flagged.cancelRequested()).isTrue();
        JobRequest done = runner.awaitCompletion(running.id(), TIMEOUT).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(done.attempts()).isEqualTo(1);
        dispatch.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void awaitCompletionAndHasExecutedSuccessfullyReadTheStoreSoTheyWorkAfterARestart() {
        JobRequest dispatched = runner.dispatchJob(JobData.builder("sum").payload(new Numbers(List.of(20, 22)))
                .dedupKey("await-after-restart").build());
        runner.close();
        runner = JobRunners.builder().environment(settings()).handlers(handlers()).store(store).build();

        JobRequest done = runner.awaitCompletion("await-after-restart", TIMEOUT).orElseThrow();

        assertThat(done.id()).isEqualTo(dispatched.id());
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(runner.awaitCompletion(dispatched.id(), Duration.ofMillis(1))).contains(done);
        assertThat(runner.hasExecutedSuccessfully("await-after-restart")).isTrue();
        assertThat(runner.hasExecutedSuccessfully("never-dispatched")).isFalse();
        assertThatThrownBy(() -> runner.awaitCompletion(987_654_321L, Duration.ofMillis(10)))
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining("987654321");
    }

    @Test
    void anUnknownTaskNameIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> runner.dispatchTask("greeet", new Greeting("x", 1)))
                .isInstanceOf(UnknownHandlerException.class)
                .hasMessageContaining("'greeet'")
                .hasMessageContaining("greet");
        runner.dispatchTask("greet", new Greeting("after-the-refusal", 1));
        Await.until("the task dispatched after the refusal ran", TIMEOUT, () -> !effects.recorded("greet").isEmpty());
        assertThat(effects.recorded("greet")).as("the refused task never ran").containsExactly("after-the-refusal:1");
    }

    @Test
    void anUnknownJobTypeIsRefusedAndNothingIsStored() {
        assertThatThrownBy(() -> runner.dispatchJob(JobData.of("summ", new Numbers(List.of(1)))))
                .isInstanceOf(UnknownHandlerException.class)
                .hasMessageContaining("'summ'")
                .hasMessageContaining("count, exclusive, flaky, fragile, isolated, logged, one-per-key, picky, rated, remaining, slow, spaced, sum,"
                        + " until-cancelled");
        assertThat(store.list(JobQuery.all())).isEmpty();
    }

    @Test
    void aPayloadJacksonCannotSerializeIsRefusedNamingItsTypeAndNothingIsStored() {
        Object opaque = new Object();
        assertThatThrownBy(() -> runner.dispatchJob(JobData.of("sum", opaque)))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> runner.dispatchTask("greet", opaque))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("java.lang.Object");
        assertThat(store.list(JobQuery.all())).isEmpty();
    }

    @Test
    void aTaskPayloadOverTheLimitIsRefusedSayingToUseAJob() {
        Greeting big = new Greeting("x".repeat(3000), 1);
        assertThatThrownBy(() -> runner.dispatchTask("greet", big))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("2048")
                .hasMessageContaining("JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES")
                .hasMessageContaining("as a job");
        assertThat(effects.recorded("greet")).isEmpty();
    }

    @Test
    void aClosedRunnerRefusesNewWork() {
        runner.close();
        assertThatThrownBy(() -> runner.dispatchTask("greet", new Greeting("late", 1)))
                .isInstanceOf(DispatchRejectedException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> runner.dispatchJob(JobData.of("count", "late")))
                .isInstanceOf(DispatchRejectedException.class);
    }
}
