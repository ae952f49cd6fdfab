package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What isolation costs, side by side on {@code inprocess-async} over PostgreSQL: the first isolated
 * job (its child JVM starts), then burn-downs of bulk-dispatched no-op jobs, isolated in two child
 * JVMs and in the worker's JVM, in alternating rounds; the time a child spends per job follows.
 *
 * <p>Arguments: jobs per round (default 1000), rounds (default 3).
 */
public final class IsolationBenchmark {

    private IsolationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(IsolationBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 8, postgres.schema());
             JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-async",
                             "JOB_RUNNER_ISOLATED_JVMS", "2"))
                     .handlers(HandlerRegistry.builder().job(new NoopJob()).job(new IsolatedNoopJob()).build())
                     .store(store).build()) {
            long start = System.nanoTime();
            await(runner, runner.dispatchJob(JobData.of(IsolatedNoopJob.TYPE, 0)));
            double firstMs = (System.nanoTime() - start) / 1e6;
            List<Double> plain = new ArrayList<>();
            List<Double> isolated = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                double plainRound = bulk(runner, postgres, NoopJob.TYPE, jobs);
                double isolatedRound = bulk(runner, postgres, IsolatedNoopJob.TYPE, jobs);
                System.out.printf(Locale.ROOT, "  %sin the worker's JVM %,.0f jobs/s, isolated %,.0f jobs/s%n",
                        round == 0 ? "(warm-up) " : "", plainRound, isolatedRound);
                if (round > 0) {
                    plain.add(plainRound);
                    isolated.add(isolatedRound);
                }
            }
            double perChild = 2 * 1000 / median(isolated);
            System.out.printf(Locale.ROOT, "Isolated no-op jobs on inprocess-async over PostgreSQL, %,d per round, medians of %d"
                    + " rounds%n", jobs, rounds);
            System.out.printf(Locale.ROOT, "  the first isolated job, its child JVM starting: %.0f ms%n", firstMs);
            System.out.printf(Locale.ROOT, "  burn-down: in the worker's JVM %,.0f jobs/s, isolated in 2 child JVMs %,.0f jobs/s"
                    + " (%.2f): about %.2f ms of a child per job%n", median(plain), median(isolated),
                    median(isolated) / median(plain), perChild);
        }
    }

    private static double bulk(JobRunner runner, PostgresFixture postgres, String type, int jobs) throws Exception {
        List<JobData> batch = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            batch.add(JobData.of(type, i));
        }
        long start = System.currentTimeMillis();
        long first = runner.dispatchJobs(batch).get(0).id();
        return Finish.rate(jobs, start, Finish.awaitSucceeded(postgres, first, jobs));
    }

    private static void await(JobRunner runner, JobRequest dispatched) {
        JobRequest done = runner.jobs().await(dispatched.id(), Duration.ofMinutes(1)).orElseThrow();
        if (!done.status().name().equals("SUCCEEDED")) {
            throw new IllegalStateException("Job " + done + " did not succeed");
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
