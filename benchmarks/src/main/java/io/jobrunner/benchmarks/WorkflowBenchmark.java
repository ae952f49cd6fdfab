package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobBatch;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What dependencies cost, side by side on PostgreSQL: the burn-down of N no-op jobs dispatched as
 * plain jobs ({@code dispatchJobs}), as a batch with an on-complete callback (until the callback
 * succeeded: every member's finish counts down the callback's row), and as a fan-out graph (one root
 * whose finish releases the N - 1 others in one statement). For {@code inprocess-async} and for the
 * {@code database} runner with two worker processes. Medians of alternating rounds, and each
 * shape's ratio to the plain burn-down.
 *
 * <p>Arguments: jobs per round (default 10000), rounds (default 3).
 */
public final class WorkflowBenchmark {

    private WorkflowBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Map<String, List<Double>> rates = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (String[] setUp : new String[][] {{"inprocess-async", "0"}, {"database", "2"}}) {
            try (SetUp running = new SetUp(setUp[0], Integer.parseInt(setUp[1]))) {
                String label = setUp[0] + (setUp[1].equals("0") ? "" : ", " + setUp[1] + " worker processes");
                for (int round = 0; round <= rounds; round++) {
                    for (String shape : List.of("plain", "batch", "fan-out")) {
                        double rate = running.burnDown(jobs, shape);
                        String name = label + ": " + shape;
                        System.out.printf(Locale.ROOT, "  %s%-50s %,10.0f jobs/s%n", round == 0 ? "(warm-up) " : "", name, rate);
                        if (round > 0) {
                            rates.computeIfAbsent(name, key -> new ArrayList<>()).add(rate);
                            if (!names.contains(name)) {
                                names.add(name);
                            }
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "Burn-down of %,d no-op jobs by shape on PostgreSQL (median of %d rounds)%n", jobs, rounds);
        for (String name : names) {
            double median = median(rates.get(name));
            String plain = name.substring(0, name.lastIndexOf(':')) + ": plain";
            System.out.printf(Locale.ROOT, "  %-50s %,10.0f jobs/s   %.2f of plain%n", name, median,
                    median / median(rates.get(plain)));
        }
    }

    private static final class SetUp implements AutoCloseable {
        private final PostgresFixture postgres = PostgresFixture.forTestClass(WorkflowBenchmark.class);
        private final JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 8,
                postgres.schema());
        private final Map<String, String> settings;
        private final WorkerProcesses workers;

        SetUp(String runner, int workerProcesses) throws Exception {
            settings = Map.of("JOB_RUNNER", runner, "DATABASE_URL", postgres.serverUrl(),
                    "JOB_RUNNER_DB_SCHEMA", postgres.schema(), "JOB_RUNNER_DB_POOL_SIZE", "12");
            workers = new WorkerProcesses(settings, workerProcesses);
        }

        /** Jobs per second from the dispatch until the last of the shape's jobs succeeded. */
        double burnDown(int jobs, String shape) throws Exception {
            postgres.execute("TRUNCATE job_request, job_batch CASCADE");
            HandlerRegistry handlers = workers.isEmpty() ? HandlerRegistry.builder().job(new NoopJob()).build()
                    : HandlerRegistry.empty();
            try (JobRunner runner = JobRunners.builder().environment(settings).handlers(handlers).store(store).build()) {
                long start = System.currentTimeMillis();
                long first;
                switch (shape) {
                    case "plain" -> first = runner.dispatchJobs(NoopJob.batch(jobs)).get(0).id();
                    case "batch" -> first = runner.dispatchBatch(JobBatch.of(NoopJob.batch(jobs - 1))
                            .onComplete(JobData.of(NoopJob.TYPE, 0))).members().get(0).id();
                    default -> {
                        JobGraph graph = JobGraph.create();
                        JobGraph.Step root = graph.add(JobData.of(NoopJob.TYPE, 0));
                        for (JobData job : NoopJob.batch(jobs - 1)) {
                            graph.add(job, root);
                        }
                        first = runner.dispatchGraph(graph).get(0).id();
                    }
                }
                if (System.getenv("WORKFLOW_BENCHMARK_DEBUG") != null) {
                    System.out.printf(Locale.ROOT, "    dispatch of the %s took %d ms%n", shape, System.currentTimeMillis() - start);
                }
                return Finish.rate(jobs, start, Finish.awaitSucceeded(postgres, first, jobs));
            }
        }

        @Override
        public void close() throws Exception {
            workers.close();
            store.close();
            postgres.close();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
