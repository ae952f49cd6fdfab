package io.jobrunner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * New jobs that run after one another, dispatched together in one transaction
 * ({@link JobRunner#dispatchGraph(JobGraph)}): each step runs after the steps it names, which were
 * added before it, so a graph has no cycles. A chain is the graph where each step names the one
 * before; a fan-out names one step from many; a fan-in names many from one.
 *
 * <pre>{@code
 * JobGraph graph = JobGraph.create();
 * JobGraph.Step fetch = graph.add(JobData.of("fetch", url));
 * JobGraph.Step left = graph.add(JobData.of("resize", small), fetch);
 * JobGraph.Step right = graph.add(JobData.of("resize", large), fetch);
 * graph.add(JobData.of("publish", url), left, right);
 * List<JobRequest> requests = runner.dispatchGraph(graph);   // in the order the steps were added
 * }</pre>
 *
 * <p>A step may also run after stored jobs ({@link JobData.Builder#after}) and say when it runs
 * ({@link JobData.Builder#runWhen}). Not thread-safe while built.
 */
public final class JobGraph {

    /** Most steps one graph may have. */
    public static final int MAX_STEPS = 10_000;

    private final List<Step> steps = new ArrayList<>();

    private JobGraph() {
    }

    public static JobGraph create() {
        return new JobGraph();
    }

    /**
     * Adds a job that runs after the given steps of this graph (none: it is queued at once, or after
     * the stored jobs its data names).
     *
     * @throws IllegalArgumentException for a step of another graph
     */
    public Step add(JobData job, Step... after) {
        if (job == null) {
            throw new IllegalArgumentException("A graph step needs its JobData, got null");
        }
        if (steps.size() == MAX_STEPS) {
            throw new IllegalArgumentException("A graph may have at most " + MAX_STEPS + " steps (job type: "
                    + job.jobType() + "); split the work into graphs that run after one another's last step");
        }
        List<Integer> earlier = new ArrayList<>(after.length);
        for (Step step : after) {
            if (step == null || step.graph != this) {
                throw new IllegalArgumentException("Step " + step + " is not a step of this graph (job type: "
                        + job.jobType() + "): a step can only run after steps added to the same graph before it");
            }
            if (!earlier.contains(step.index)) {
                earlier.add(step.index);
            }
        }
        if (earlier.size() + job.after().size() > JobData.MAX_DEPENDENCIES) {
            throw new IllegalArgumentException("A job may depend on at most " + JobData.MAX_DEPENDENCIES + " jobs, got "
                    + (earlier.size() + job.after().size()) + " (job type: " + job.jobType() + "); dispatch the jobs it"
                    + " waits for as a JobBatch and run it as the batch's callback");
        }
        Step step = new Step(this, steps.size(), job, List.copyOf(earlier));
        steps.add(step);
        return step;
    }

    /** {@link #add(JobData, Step...)} after every step of the list. */
    public Step add(JobData job, List<Step> after) {
        return add(job, after.toArray(Step[]::new));
    }

    /** The steps in the order they were added. */
    public List<Step> steps() {
        return List.copyOf(steps);
    }

    public int size() {
        return steps.size();
    }

    /** One job of a graph: its position, its data and the positions of the steps it runs after. Immutable. */
    public static final class Step {
        private final JobGraph graph;
        private final int index;
        private final JobData job;
        private final List<Integer> after;

        private Step(JobGraph graph, int index, JobData job, List<Integer> after) {
            this.graph = graph;
            this.index = index;
            this.job = job;
            this.after = after;
        }

        /** Its position in the graph: the index of its request in what {@link JobRunner#dispatchGraph} returns. */
        public int index() {
            return index;
        }

        public JobData job() {
            return job;
        }

        /** The positions of the steps it runs after, each smaller than its own. */
        public List<Integer> after() {
            return after;
        }

        @Override
        public String toString() {
            return "Step[" + index + ", " + job.jobType() + (after.isEmpty() ? "" : ", after " + Arrays.toString(after.toArray())) + "]";
        }
    }
}
