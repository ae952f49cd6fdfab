package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.inprocess.DatabaseWorkerMain;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.ChildJvm;
import io.jobrunner.testkit.PostgresFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Burn-down of bulk-dispatched no-op jobs on PostgreSQL: the time from {@code dispatchJobs(list)}
 * until every job has succeeded, for {@code inprocess-async} and for the {@code database} runner
 * with one and with two {@link DatabaseWorkerMain} processes. Medians of alternating rounds.
 *
 * <p>Arguments: jobs per round (default 10000), rounds (default 5).
 */
public final class BurnDownBenchmark {

    private BurnDownBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<JobData> batch = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            batch.add(JobData.of(NoopJob.TYPE, i));
        }
        try (PostgresFixture postgres = PostgresFixture.forTestClass(BurnDownBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 8, postgres.schema())) {
            Map<String, String> database = new HashMap<>(Map.of("JOB_RUNNER", "database", "DATABASE_URL", postgres.serverUrl(),
                    "JOB_RUNNER_DB_SCHEMA", postgres.schema(), "JOB_RUNNER_DB_POOL_SIZE", "12"));
            Map<String, List<Double>> rates = new HashMap<>();
            for (int round = 0; round <= rounds; round++) {
                boolean warmup = round == 0;
                record(rates, "inprocess-async", warmup, burnDown(postgres, store, batch,
                        Map.of("JOB_RUNNER", "inprocess-async"), 0));
                record(rates, "database, 1 worker process", warmup, burnDown(postgres, store, batch, database, 1));
                record(rates, "database, 2 worker processes", warmup, burnDown(postgres, store, batch, database, 2));
            }
            System.out.printf(Locale.ROOT, "Burn-down of %,d bulk-dispatched no-op jobs on PostgreSQL (median of %d rounds)%n",
                    jobs, rounds);
            for (String name : List.of("inprocess-async", "database, 1 worker process", "database, 2 worker processes")) {
                double median = median(rates.get(name));
                System.out.printf(Locale.ROOT, "  %-30s %,10.0f jobs/s   target >= 8,000 -> %s%n", name, median,
                        median >= 8_000 ? "met" : "NOT met");
            }
        }
    }

    /** Jobs per second from dispatch until all succeeded; {@code workers} processes run them, or the runner itself. */
    private static double burnDown(PostgresFixture postgres, JdbiJobRequestStore store, List<JobData> batch,
                                   Map<String, String> settings, int workers) throws Exception {
        postgres.execute("TRUNCATE job_request");
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < workers; i++) {
                children.add(ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx512m")));
            }
            for (ChildJvm child : children) {
                while (!child.output().contains("takes job types")) {
                    if (!child.isAlive()) {
                        throw new IllegalStateException("A worker process died:\n" + child.output());
                    }
                    Thread.sleep(20);
                }
            }
            HandlerRegistry handlers = workers == 0 ? HandlerRegistry.builder().job(new NoopJob()).build() : HandlerRegistry.empty();
            try (JobRunner runner = JobRunners.builder().environment(settings).handlers(handlers).store(store).build()) {
                long start = System.nanoTime();
                runner.dispatchJobs(batch);
                while (runner.jobs().counts().of(NoopJob.TYPE, JobStatus.SUCCEEDED) < batch.size()) {
                    Thread.sleep(20);
                }
                return batch.size() / ((System.nanoTime() - start) / 1e9);
            }
        } finally {
            for (ChildJvm child : children) {
                child.terminate(30);
                child.close();
            }
        }
    }

    private static void record(Map<String, List<Double>> rates, String name, boolean warmup, double rate) {
        System.out.printf(Locale.ROOT, "  %s%-30s %,10.0f jobs/s%n", warmup ? "(warm-up) " : "", name, rate);
        if (!warmup) {
            rates.computeIfAbsent(name, key -> new ArrayList<>()).add(rate);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
