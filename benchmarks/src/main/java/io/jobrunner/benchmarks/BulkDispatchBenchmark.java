package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code dispatchJobs} of 10,000 jobs on the {@code database} runner (payloads written to JSON,
 * rows built, one multi-row insert per 1,000 in one transaction, requests read back) against a raw
 * multi-row {@code INSERT} of the same rows into a plain table of the same shape (columns, defaults,
 * indexes; no library code), in 1,000-row statements, one transaction, on PostgreSQL, side by side
 * in one run.
 *
 * <p>Arguments: jobs per round (default 10000).
 */
public final class BulkDispatchBenchmark {

    /** A small payload, like an e-mail job's. */
    public record Email(String to, String template, String locale) {
    }

    private BulkDispatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(BulkDispatchBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4, postgres.schema());
             JobRunner runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "database"))
                     .handlers(HandlerRegistry.empty()).store(store).build();
             Connection connection = postgres.connect()) {
            try (Statement statement = connection.createStatement()) {
                // The same columns, defaults, constraints and indexes as the store's table, no library code.
                statement.execute("CREATE TABLE plain_job (LIKE job_request INCLUDING ALL)");
            }
            List<JobData> batch = new ArrayList<>(jobs);
            for (int i = 0; i < jobs; i++) {
                batch.add(JobData.of("send-email", new Email("user" + i + "@example.com", "welcome", "en")));
            }
            String payload = "{\"to\":\"user0@example.com\",\"template\":\"welcome\",\"locale\":\"en\"}";
            int chunk = 1_000;
            String rawSql = "INSERT INTO plain_job (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner)"
                    + " VALUES " + String.join(", ", Collections.nCopies(chunk, "(?, ?, cast(? AS jsonb), ?, now(), ?, ?)"));
            SideBySide.Round viaRunner = () -> {
                postgres.execute("TRUNCATE job_request CASCADE");
                long start = System.nanoTime();
                runner.dispatchJobs(batch);
                return System.nanoTime() - start;
            };
            SideBySide.Round raw = () -> {
                postgres.execute("TRUNCATE plain_job");
                long start = System.nanoTime();
                connection.setAutoCommit(false);
                try (PreparedStatement insert = connection.prepareStatement(rawSql)) {
                    for (int from = 0; from < jobs; from += chunk) {
                        int index = 1;
                        for (int i = 0; i < chunk; i++) {
                            insert.setString(index++, "send-email");
                            insert.setString(index++, null);
                            insert.setString(index++, payload);
                            insert.setString(index++, null);
                            insert.setInt(index++, 1);
                            insert.setString(index++, "database");
                        }
                        insert.executeUpdate();
                    }
                }
                connection.commit();
                connection.setAutoCommit(true);
                return System.nanoTime() - start;
            };
            double ratio = SideBySide.compare("Bulk dispatch of " + jobs + " jobs on PostgreSQL", "jobs/s", jobs, 3, 11,
                    "database: dispatchJobs", viaRunner, "raw multi-row INSERT", raw);
            System.out.printf("Target: at least 0.70 of the raw insert -> %s%n", ratio >= 0.7 ? "met" : "NOT met");
        }
    }
}
