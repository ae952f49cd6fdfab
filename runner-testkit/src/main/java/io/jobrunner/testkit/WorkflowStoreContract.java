package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.BatchProgress;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.RunWhen;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every store must do with dependencies between jobs and with batches: a dependent waits until
 * its dependencies finished, each finish is counted once, the run-when decides between queued and
 * cancelled, cancellation cascades, and a batch's callback is released exactly once however its last
 * members finish. Mixed into {@link JobRequestStoreContractTest}.
 */
interface WorkflowStoreContract {

    Duration WORKFLOW_LEASE = Duration.ofMinutes(5);

    JobRequestStore store();

    private static NewJobRequest row(String type) {
        return new NewJobRequest(type, null, "null", null, null, 1, "r");
    }

    private static NewJobRequest after(String type, RunWhen when, long... ids) {
        List<Long> after = new ArrayList<>();
        for (long id : ids) {
            after.add(id);
        }
        return row(type).withWorkflow(new NewJobRequest.Workflow(after, List.of(), when, false));
    }

    private JobRequest stored(NewJobRequest row) {
        return store().insert(row).request();
    }

    private JobRequest status(JobRequest request) {
        return store().find(request.id()).orElseThrow();
    }

    /** Claims the request and ends its attempt: succeeded, or failed for good. */
    private JobRequest finish(JobRequest request, boolean succeed) {
        JobRequest claimed = store().claim(request.id(), "w", WORKFLOW_LEASE).orElseThrow();
        Lease lease = Lease.of(claimed).orElseThrow();
        return (succeed ? store().succeed(lease, null, "done") : store().fail(lease, "boom")).orElseThrow();
    }

    @Test
    default void aDependentWaitsUntilItsDependencySucceededThenIsQueued() {
        JobRequest first = stored(row("first"));
        JobRequest second = stored(after("second", null, first.id()));
        assertThat(second.status()).isEqualTo(JobStatus.WAITING);
        assertThat(second.waitingOn()).isEqualTo(1);
        assertThat(second.runWhen()).isEqualTo(RunWhen.ALL_SUCCEEDED);
        assertThat(store().dependencies(second.id())).containsExactly(first.id());
        assertThat(store().claim(second.id(), "w", WORKFLOW_LEASE)).isEmpty();
        assertThat(store().claimNext(io.jobrunner.spi.store.ClaimFilter.any(), "w", WORKFLOW_LEASE, 10))
                .extracting(JobRequest::id).containsExactly(first.id());
        List<JobRequest> released = new CopyOnWriteArrayList<>();
        try (AutoCloseable watching = store().watchReleased(released::addAll)) {
            JobRequest claimedFirst = store().find(first.id()).orElseThrow();
            store().succeed(Lease.of(claimedFirst).orElseThrow(), null, "done");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        JobRequest queued = status(second);
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.waitingOn()).isZero();
        assertThat(released).extracting(JobRequest::id).containsExactly(second.id());
        assertThat(finish(queued, true).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    default void aFailureCancelsWhatNeededItAndWhatNeededThatButRunsWhatAwaitsAnyOutcome() {
        JobRequest root = stored(row("root"));
        JobRequest needsRoot = stored(after("needs-root", RunWhen.ALL_SUCCEEDED, root.id()));
        JobRequest needsThat = stored(after("needs-that", null, needsRoot.id()));
        JobRequest cleanUp = stored(after("clean-up", RunWhen.ALL_FINISHED, root.id()));
        JobRequest onFailure = stored(after("on-failure", RunWhen.ANY_FAILED, root.id()));
        JobRequest afterChain = stored(after("after-chain", RunWhen.ALL_FINISHED, needsThat.id()));
        assertThat(finish(root, false).status()).isEqualTo(JobStatus.FAILED);
        assertThat(status(needsRoot).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(status(needsRoot).resultMessage()).contains("depends on failed");
        assertThat(status(needsRoot).finishedAt()).isNotNull();
        assertThat(status(needsThat).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(status(cleanUp).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(status(onFailure).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(status(afterChain).status()).as("a cancelled dependency counts as finished").isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void aFailurePathIsCancelledWhenEveryDependencySucceeded() {
        JobRequest a = stored(row("a"));
        JobRequest b = stored(row("b"));
        JobRequest onFailure = stored(after("on-failure", RunWhen.ANY_FAILED, a.id(), b.id()));
        assertThat(onFailure.waitingOn()).isEqualTo(2);
        finish(a, true);
        assertThat(status(onFailure).status()).isEqualTo(JobStatus.WAITING);
        assertThat(status(onFailure).waitingOn()).isEqualTo(1);
        finish(b, true);
        assertThat(status(onFailure).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(status(onFailure).resultMessage()).contains("every job it depends on succeeded");
    }

    @Test
    default void dependenciesThatFinishedBeforeTheDispatchAreCountedAtOnce() {
        JobRequest done = stored(row("done"));
        finish(done, true);
        JobRequest failed = stored(row("failed"));
        finish(failed, false);
        assertThat(stored(after("after-done", null, done.id())).status()).isEqualTo(JobStatus.QUEUED);
        JobRequest afterFailed = stored(after("after-failed", null, failed.id()));
        assertThat(afterFailed.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(afterFailed.resultMessage()).contains("depends on failed");
        assertThat(stored(after("on-failure", RunWhen.ANY_FAILED, done.id(), failed.id())).status())
                .isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void aGraphIsStoredInOneTransactionAndAnUnknownDependencyStoresNothing() {
        long before = store().count(JobQuery.all());
        List<NewJobRequest> rows = List.of(row("fetch"),
                row("left").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(0), null, false)),
                row("right").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(0), null, false)),
                row("join").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(1, 2), null, false)));
        InsertedGraph graph = store().insertGraph(rows);
        List<JobRequest> stored = graph.results().stream().map(InsertResult::request).toList();
        assertThat(stored).extracting(JobRequest::status).containsExactly(JobStatus.QUEUED, JobStatus.WAITING,
                JobStatus.WAITING, JobStatus.WAITING);
        assertThat(store().dependencies(stored.get(3).id())).containsExactly(stored.get(1).id(), stored.get(2).id());
        assertThat(graph.batchId()).isNull();
        long count = store().count(JobQuery.all());
        assertThat(count).isEqualTo(before + 4);
        assertThatThrownBy(() -> store().insertGraph(List.of(row("ok"), after("bad", null, 987_654_321L))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("987654321");
        assertThat(store().count(JobQuery.all())).as("nothing of the failed graph is stored").isEqualTo(count);
        finish(stored.get(0), true);
        finish(status(stored.get(1)), true);
        assertThat(status(stored.get(3)).status()).isEqualTo(JobStatus.WAITING);
        finish(status(stored.get(2)), true);
        assertThat(status(stored.get(3)).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void aDependentWithADedupKeyStoredAlreadyIsThatRequestAndAChainIsReleasedStepByStep() {
        JobRequest a = stored(row("a"));
        NewJobRequest keyed = new NewJobRequest("b", null, "null", "dependent-key", null, 1, "r")
                .withWorkflow(new NewJobRequest.Workflow(List.of(a.id()), List.of(), null, false));
        JobRequest first = stored(keyed);
        assertThat(first.status()).isEqualTo(JobStatus.WAITING);
        InsertResult again = store().insert(keyed);
        assertThat(again.outcome()).isEqualTo(InsertResult.Outcome.EXISTING);
        assertThat(again.request().id()).isEqualTo(first.id());
        List<NewJobRequest> chain = new ArrayList<>();
        chain.add(row("link"));
        for (int i = 1; i < 5; i++) {
            chain.add(row("link").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(i - 1), null, false)));
        }
        chain.add(row("after-keyed").withWorkflow(new NewJobRequest.Workflow(List.of(first.id()), List.of(4), null, false)));
        List<JobRequest> links = store().insertGraph(chain).results().stream().map(InsertResult::request).toList();
        for (int i = 0; i < 5; i++) {
            assertThat(status(links.get(i)).status()).as("link " + i).isEqualTo(JobStatus.QUEUED);
            assertThat(status(links.get(i + 1)).status()).isEqualTo(JobStatus.WAITING);
            finish(status(links.get(i)), true);
        }
        assertThat(status(links.get(5)).waitingOn()).as("still waiting for the keyed one").isEqualTo(1);
        finish(a, true);
        finish(status(first), true);
        assertThat(status(links.get(5)).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void cancellingAWaitingJobOrADependencyCancelsAtOnce() {
        JobRequest parent = stored(row("parent"));
        JobRequest child = stored(after("child", null, parent.id()));
        JobRequest grandChild = stored(after("grand-child", null, child.id()));
        assertThat(store().cancel(grandChild.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store().cancel(parent.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(status(child).status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    default void aRetriedDependencyIsCountedOnceByItsDependents() {
        JobRequest a = stored(row("a"));
        JobRequest b = stored(row("b"));
        JobRequest report = stored(after("report", RunWhen.ALL_FINISHED, a.id(), b.id()));
        finish(a, false);
        assertThat(status(report).waitingOn()).isEqualTo(1);
        JobRequest retried = store().retry(a.id()).orElseThrow();
        finish(retried, false);
        assertThat(status(report).status()).isEqualTo(JobStatus.WAITING);
        assertThat(status(report).waitingOn()).isEqualTo(1);
        finish(b, true);
        assertThat(status(report).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    default void anAbandonedDependencyFailedByTheRecoveryPassSettlesItsDependents() throws InterruptedException {
        JobRequest flaky = stored(row("flaky"));
        JobRequest next = stored(after("next", null, flaky.id()));
        store().claim(flaky.id(), "dead-worker", Duration.ofMillis(1)).orElseThrow();
        Thread.sleep(20);
        assertThat(store().failAbandoned()).extracting(JobRequest::id).containsExactly(flaky.id());
        assertThat(status(next).status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    default void aBatchCountsItsMembersAndItsCallbacksWaitForAllOfThem() {
        List<NewJobRequest> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rows.add(row("member").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(), null, true)));
        }
        rows.add(row("on-complete").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(0, 1, 2),
                RunWhen.ALL_FINISHED, false)));
        rows.add(row("on-failure").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(0, 1, 2),
                RunWhen.ANY_FAILED, false)));
        InsertedGraph graph = store().insertGraph(rows);
        List<JobRequest> stored = graph.results().stream().map(InsertResult::request).toList();
        long batch = graph.batchId();
        assertThat(stored.subList(0, 3)).extracting(JobRequest::batchId).containsOnly(batch);
        assertThat(stored.get(3).batchId()).isNull();
        BatchProgress progress = store().batch(batch).orElseThrow();
        assertThat(progress.total()).isEqualTo(3);
        assertThat(progress.done()).isZero();
        assertThat(progress.callbackIds()).containsExactly(stored.get(3).id(), stored.get(4).id());
        finish(stored.get(0), true);
        finish(stored.get(1), false);
        progress = store().batch(batch).orElseThrow();
        assertThat(progress.succeeded()).isEqualTo(1);
        assertThat(progress.failed()).isEqualTo(1);
        assertThat(progress.finished()).isFalse();
        assertThat(status(stored.get(3)).status()).isEqualTo(JobStatus.WAITING);
        finish(stored.get(2), true);
        assertThat(store().batch(batch).orElseThrow().finished()).isTrue();
        assertThat(status(stored.get(3)).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(status(stored.get(4)).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store().batch(987_654_321L)).isEmpty();
    }

    /** The race the batch guarantee is about: the last two members finish at the same moment on two threads. */
    @Test
    default void aBatchCallbackIsReleasedExactlyOnceWhenItsLastMembersFinishTogether() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                List<NewJobRequest> rows = new ArrayList<>();
                rows.add(row("member").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(), null, true)));
                rows.add(row("member").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(), null, true)));
                rows.add(row("callback").withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(0, 1),
                        RunWhen.ALL_FINISHED, false)));
                List<JobRequest> stored = store().insertGraph(rows).results().stream().map(InsertResult::request).toList();
                List<Lease> leases = new ArrayList<>();
                for (JobRequest member : stored.subList(0, 2)) {
                    leases.add(Lease.of(store().claim(member.id(), "w" + member.id(), WORKFLOW_LEASE).orElseThrow()).orElseThrow());
                }
                List<JobRequest> released = new CopyOnWriteArrayList<>();
                CountDownLatch start = new CountDownLatch(1);
                try (AutoCloseable watching = store().watchReleased(released::addAll)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (Lease lease : leases) {
                        done.add(threads.submit(() -> {
                            start.await();
                            return store().succeed(lease, null, null).orElseThrow();
                        }));
                    }
                    start.countDown();
                    for (Future<?> each : done) {
                        each.get();
                    }
                }
                JobRequest callback = status(stored.get(2));
                assertThat(callback.status()).as("round " + round).isEqualTo(JobStatus.QUEUED);
                assertThat(callback.waitingOn()).isZero();
                assertThat(released).as("round " + round).extracting(JobRequest::id).containsExactly(callback.id());
                assertThat(store().claim(callback.id(), "a", WORKFLOW_LEASE)).isPresent();
                assertThat(store().claim(callback.id(), "b", WORKFLOW_LEASE)).isEmpty();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
