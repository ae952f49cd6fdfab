package io.jobrunner.benchmarks;

import io.jobrunner.testkit.PostgresFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Burn-down of bulk-dispatched no-op jobs on PostgreSQL: the time from {@code dispatchJobs(list)}
 * until the last job succeeded, for {@code inprocess-async} and for the {@code database} runner
 * with one and with two {@code DatabaseWorkerMain} processes (started once and kept running, as a
 * fleet would be); and jobs dispatched one by one from one thread against a raw single-row
 * autocommit insert loop, once the bulk set-ups stopped. Each set-up has a schema of its own; medians
 * of alternating rounds.
 *
 * <p>Arguments: jobs per round (default 10000), rounds (default 5).
 */
public final class BurnDownBenchmark {

    private BurnDownBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String classPath = System.getProperty("java.class.path");
        Map<String, List<Double>> rates = new HashMap<>();
        try (BurnDownSetUp inProcess = new BurnDownSetUp("inprocess-async", 0, classPath, jobs);
             BurnDownSetUp oneWorker = new BurnDownSetUp("database", 1, classPath, jobs);
             BurnDownSetUp twoWorkers = new BurnDownSetUp("database", 2, classPath, jobs)) {
            for (int round = 0; round <= rounds; round++) {
                boolean warmup = round == 0;
                record(rates, "inprocess-async", warmup, burnDown(inProcess, jobs, false));
                record(rates, "database, 1 worker process", warmup, burnDown(oneWorker, jobs, false));
                record(rates, "database, 2 worker processes", warmup, burnDown(twoWorkers, jobs, false));
            }
        }
        // Measured after the other set-ups stopped: every commit that notifies signals each listening
        // connection of the database, the idle workers of other schemas included.
        try (BurnDownSetUp oneByOne = new BurnDownSetUp("database", 1, classPath, jobs)) {
            for (int warmup = 0; warmup < 3; warmup++) {
                oneByOne.applyAsDouble(false);  // the worker process compiles its hot paths on its first 30,000 jobs
            }
            for (int round = 0; round <= rounds; round++) {
                boolean warmup = round == 0;
                record(rates, "one by one: database, 1 worker", warmup, burnDown(oneByOne, jobs, true));
                record(rates, "one by one: raw INSERT loop", warmup, rawInsertLoop(oneByOne.postgres(), jobs));
            }
        }
        System.out.printf(Locale.ROOT, "Burn-down of %,d bulk-dispatched no-op jobs on PostgreSQL (median of %d rounds)%n",
                jobs, rounds);
        for (String name : List.of("inprocess-async", "database, 1 worker process", "database, 2 worker processes")) {
            double median = median(rates.get(name));
            System.out.printf(Locale.ROOT, "  %-30s %,10.0f jobs/s   target >= 8,000 -> %s%n", name, median,
                    median >= 8_000 ? "met" : "NOT met");
        }
        double single = median(rates.get("one by one: database, 1 worker"));
        double raw = median(rates.get("one by one: raw INSERT loop"));
        System.out.printf(Locale.ROOT, "  dispatched one by one from one thread: %,.0f jobs/s burnt down; a raw single-row"
                + " autocommit INSERT loop %,.0f rows/s; ratio %.2f (target >= 0.8 -> %s)%n", single, raw, single / raw,
                single / raw >= 0.8 ? "met" : "NOT met");
    }

    /** Commits per job in the last burn-down: the database's own count. */
    private static double lastCommitsPerJob;

    /** Jobs per second of one burn-down of the set-up, noting the database's commits per job. */
    private static double burnDown(BurnDownSetUp setUp, int jobs, boolean oneByOne) throws Exception {
        long commitsBefore = Finish.commits(setUp.postgres());
        double rate = setUp.applyAsDouble(oneByOne);
        lastCommitsPerJob = (Finish.commits(setUp.postgres()) - commitsBefore) / (double) jobs;
        return rate;
    }

    /** The same number of single-row autocommit inserts into a table shaped like the store's, from one thread. */
    private static double rawInsertLoop(PostgresFixture postgres, int rows) throws Exception {
        try (java.sql.Connection connection = postgres.connect()) {
            connection.createStatement().execute("CREATE TABLE IF NOT EXISTS plain_job (LIKE job_request INCLUDING ALL)");
            connection.createStatement().execute("TRUNCATE plain_job");
            try (java.sql.PreparedStatement insert = connection.prepareStatement("INSERT INTO plain_job (job_type, payload,"
                    + " run_at, max_attempts, runner) VALUES (?, cast(? AS jsonb), now(), ?, ?)")) {
                long start = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    insert.setString(1, NoopJob.TYPE);
                    insert.setString(2, String.valueOf(i));
                    insert.setInt(3, 1);
                    insert.setString(4, "database");
                    insert.executeUpdate();
                }
                lastCommitsPerJob = 1;
                return rows / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private static void record(Map<String, List<Double>> rates, String name, boolean warmup, double rate) {
        System.out.printf(Locale.ROOT, "  %s%-30s %,10.0f jobs/s   %.2f commits per job%n", warmup ? "(warm-up) " : "",
                name, rate, lastCommitsPerJob);
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
