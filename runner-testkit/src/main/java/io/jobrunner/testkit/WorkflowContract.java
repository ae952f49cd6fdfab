package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.BatchProgress;
import io.jobrunner.JobBatch;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.RunWhen;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Workflows and batches on every runner: each step of a graph runs once, after every step it needs
 * finished; a failed step cancels what needed it and runs its failure path; a batch's callback runs
 * once, after every member. Order is read from the store's clock (a step's start against its
 * dependencies' finish), so it holds whichever process ran what. Mixed into {@link JobRunnerContractTest}.
 */
interface WorkflowContract {

    Duration WORKFLOW_TIMEOUT = Duration.ofSeconds(60);

    JobRunner runner();

    JobRequestStore store();

    ContractEffects effects();

    private JobRequest finished(long id) {
        return Await.value("job request " + id + " is finished", WORKFLOW_TIMEOUT, () -> store().find(id).orElseThrow(),
                request -> request.status().isFinished());
    }

    /** Finished, and started no earlier than each of {@code dependencies} finished. */
    private void ranAfter(JobRequest step, List<JobRequest> dependencies) {
        JobRequest done = finished(step.id());
        for (JobRequest dependency : dependencies) {
            JobRequest before = finished(dependency.id());
            assertThat(done.startedAt()).as("job %d started after job %d finished", done.id(), before.id())
                    .isAfterOrEqualTo(before.finishedAt());
        }
    }

    @Test
    default void aGraphRunsEachStepOnceAfterTheStepsItNeeds() {
        JobGraph graph = JobGraph.create();
        JobGraph.Step root = graph.add(JobData.of("count", "graph-root"));
        List<JobGraph.Step> middle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            middle.add(graph.add(JobData.of("count", "graph-middle-" + i), root));
        }
        JobGraph.Step join = graph.add(JobData.of("count", "graph-join"), middle);
        List<JobRequest> requests = runner().dispatchGraph(graph);

        assertThat(requests).hasSize(5);
        assertThat(requests.get(join.index()).status()).isIn(JobStatus.WAITING, JobStatus.SUCCEEDED);
        JobRequest joined = finished(requests.get(join.index()).id());
        assertThat(joined.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(runner().jobs().dependencies(joined.id())).containsExactlyElementsOf(
                middle.stream().map(step -> requests.get(step.index()).id()).toList());
        for (JobGraph.Step step : middle) {
            ranAfter(requests.get(step.index()), List.of(requests.get(root.index())));
        }
        ranAfter(joined, middle.stream().map(step -> requests.get(step.index())).toList());
        for (String key : List.of("graph-root", "graph-middle-0", "graph-middle-1", "graph-middle-2", "graph-join")) {
            assertThat(effects().count(key)).as(key + " ran once").isEqualTo(1);
        }
    }

    @Test
    default void aFailedStepCancelsWhatNeedsItAndRunsItsFailurePath() {
        JobGraph graph = JobGraph.create();
        JobGraph.Step fails = graph.add(JobData.of("fragile", "graph-fails"));
        JobGraph.Step needsIt = graph.add(JobData.of("count", "graph-needs-it"), fails);
        JobGraph.Step failurePath = graph.add(JobData.builder("count").payload("graph-failure-path")
                .runWhen(RunWhen.ANY_FAILED).build(), fails);
        List<JobRequest> requests = runner().dispatchGraph(graph);

        assertThat(finished(requests.get(fails.index()).id()).status()).isEqualTo(JobStatus.FAILED);
        JobRequest cancelled = finished(requests.get(needsIt.index()).id());
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.resultMessage()).contains("depends on failed");
        assertThat(finished(requests.get(failurePath.index()).id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects().count("graph-needs-it")).isZero();
        assertThat(effects().count("graph-failure-path")).isEqualTo(1);
    }

    @Test
    default void aJobDispatchedAfterAStoredJobRunsOnceItSucceeded() {
        JobRequest first = runner().dispatchJob(JobData.of("count", "after-first"));
        JobRequest second = runner().dispatchJob(JobData.builder("count").payload("after-second").after(first.id()).build());

        ranAfter(second, List.of(first));
        assertThat(finished(second.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(effects().count("after-second")).isEqualTo(1);
    }

    @Test
    default void aBatchRunsItsCallbackOnceAfterEveryMemberAndShowsItsProgress() {
        List<JobData> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(JobData.of("count", "batch-member-" + i));
        }
        JobBatch.Dispatched batch = runner().dispatchBatch(JobBatch.of(members)
                .onComplete(JobData.of("count", "batch-complete"))
                .onFailure(JobData.of("count", "batch-failure")));

        assertThat(batch.members()).hasSize(6).extracting(JobRequest::batchId).containsOnly(batch.id());
        assertThat(batch.callbacks()).hasSize(2);
        JobRequest complete = finished(batch.callbacks().get(0).id());
        assertThat(complete.status()).isEqualTo(JobStatus.SUCCEEDED);
        ranAfter(complete, batch.members());
        assertThat(finished(batch.callbacks().get(1).id()).status()).as("no member failed").isEqualTo(JobStatus.CANCELLED);
        BatchProgress progress = runner().jobs().batch(batch.id()).orElseThrow();
        assertThat(progress.total()).isEqualTo(6);
        assertThat(progress.succeeded()).isEqualTo(6);
        assertThat(progress.finished()).isTrue();
        assertThat(progress.callbackIds()).containsExactly(batch.callbacks().get(0).id(), batch.callbacks().get(1).id());
        assertThat(effects().count("batch-complete")).isEqualTo(1);
        assertThat(effects().count("batch-failure")).isZero();
    }
}
