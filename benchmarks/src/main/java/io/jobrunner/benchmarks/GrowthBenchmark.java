package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.util.List;
import java.util.Map;

/**
 * The burn-down of bulk-dispatched no-op jobs through a {@link DatabaseWorker} on a table holding
 * 1,000,000 finished requests, against the same on an empty table, in alternating rounds, side by
 * side: claims must stay off finished rows.
 *
 * <p>Arguments: jobs per round (default 10000), finished rows (default 1000000).
 */
public final class GrowthBenchmark {

    private GrowthBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int finished = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        List<JobData> batch = NoopJob.batch(jobs);
        try (PostgresFixture empty = PostgresFixture.forTestClass(GrowthBenchmark.class);
             PostgresFixture full = PostgresFixture.forTestClass(GrowthBenchmark.class);
             Setup onEmpty = new Setup(empty);
             Setup onFull = new Setup(full)) {
            onFull.fill(finished);
            onEmpty.fill(0);
            System.out.printf("Filled one table with %,d finished requests%n", finished);
            double ratio = SideBySide.compare("Burn-down of " + jobs + " no-op jobs, one database worker, PostgreSQL",
                    "jobs/s", jobs, 1, 5, "with " + finished / 1000 + "k finished rows", () -> onFull.burnDown(batch),
                    "on an empty table", () -> onEmpty.burnDown(batch));
            System.out.printf("Target: at least 0.90 of the empty-table figure -> %s%n", ratio >= 0.9 ? "met" : "NOT met");
        }
    }

    /** A store, a producer and a worker on one schema. */
    private static final class Setup implements AutoCloseable {
        private final PostgresFixture postgres;
        private final JdbiJobRequestStore store;
        private final JobRunner producer;
        private final DatabaseWorker worker;

        Setup(PostgresFixture postgres) {
            this.postgres = postgres;
            this.store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 12, postgres.schema());
            Map<String, String> settings = Map.of("JOB_RUNNER", "database");
            this.producer = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store).build();
            this.worker = DatabaseWorker.create(JobRunners.builder().environment(settings)
                    .handlers(HandlerRegistry.builder().job(new NoopJob()).build()).store(store).config()).start();
        }

        /** Finished requests, as months of work leave them. */
        void fill(int rows) {
            if (rows > 0) {
                postgres.execute("INSERT INTO job_request (job_type, payload, status, progress, attempts, max_attempts, runner,"
                    + " run_at, created_at, updated_at, started_at, finished_at, result)"
                    + " SELECT 'noop', to_jsonb(n), 'succeeded', 100, 1, 1, 'database', now() - interval '30 days',"
                    + " now() - interval '30 days', now(), now() - interval '30 days', now() - interval '30 days', 'null'"
                        + " FROM generate_series(1, " + rows + ") AS n");
            }
            postgres.execute("VACUUM ANALYZE job_request");
        }

        /** Nanoseconds from dispatch until every job of the batch succeeded; the batch's rows are deleted after. */
        long burnDown(List<JobData> batch) throws Exception {
            long start = System.currentTimeMillis();
            long first = producer.dispatchJobs(batch).get(0).id();
            long elapsed = (Finish.awaitSucceeded(postgres, first, batch.size()) - start) * 1_000_000;
            // Both tables start every round alike: the batch's rows gone, statistics fresh.
            postgres.execute("DELETE FROM job_request WHERE id >= " + first);
            postgres.execute("VACUUM ANALYZE job_request");
            return elapsed;
        }

        @Override
        public void close() {
            worker.close();
            producer.close();
            store.close();
        }
    }
}
