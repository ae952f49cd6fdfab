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
 * multi-row {@code INSERT} of the same rows into a plain table, in 1,000-row statements, one
 * transaction, on PostgreSQL, side by side in one run.
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
                statement.execute("CREATE TABLE plain_job (id bigserial PRIMARY KEY, job_type text NOT NULL,"
                        + " payload jsonb NOT NULL, status text NOT NULL DEFAULT 'queued', run_at timestamptz NOT NULL"
                        + " DEFAULT now(), created_at timestamptz NOT NULL DEFAULT now())");
            }
            List<JobData> batch = new ArrayList<>(jobs);
            for (int i = 0; i < jobs; i++) {
                batch.add(JobData.of("send-email", new Email("user" + i + "@example.com", "welcome", "en")));
            }
            String payload = "{\"to\":\"user0@example.com\",\"template\":\"welcome\",\"locale\":\"en\"}";
            int chunk = 1_000;
            String rawSql = "INSERT INTO plain_job (job_type, payload) VALUES "
                    + String.join(", ", Collections.nCopies(chunk, "(?, cast(? AS jsonb))"));
            SideBySide.Round viaRunner = () -> {
                postgres.execute("TRUNCATE job_request");
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
                            insert.setString(index++, payload);
                        }
                        insert.executeUpdate();
                    }
                }
                connection.commit();
                connection.setAutoCommit(true);
                return System.nanoTime() - start;
            };
            double ratio = SideBySide.compare("Bulk dispatch of " + jobs + " jobs on PostgreSQL", "jobs/s", jobs, 2, 7,
                    "database: dispatchJobs", viaRunner, "raw multi-row INSERT", raw);
            System.out.printf("Target: at least 0.70 of the raw insert -> %s%n", ratio >= 0.7 ? "met" : "NOT met");
        }
    }
}
