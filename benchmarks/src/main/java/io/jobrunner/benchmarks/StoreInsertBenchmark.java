package io.jobrunner.benchmarks;

import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;

/**
 * Job request inserts per second through {@link JdbiJobRequestStore#insert}, against a raw JDBC
 * prepared {@code INSERT} of the same row on one connection, in the same run, on PostgreSQL
 * ({@code JOB_RUNNER_TEST_DATABASE_URL}, default the local test server). One thread each, every
 * insert its own transaction, as a dispatching request handler does it.
 *
 * <p>Arguments: inserts per round (default 1000).
 */
public final class StoreInsertBenchmark {

    private static final String PAYLOAD = "{\"to\":\"ada@example.com\",\"template\":\"welcome\",\"locale\":\"en\"}";

    private StoreInsertBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int inserts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(StoreInsertBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4, postgres.schema());
             Connection connection = postgres.connect()) {
            NewJobRequest row = new NewJobRequest("send-email", "mail", PAYLOAD, null, null, 3, "sqs");
            SideBySide.Round viaStore = () -> {
                long start = System.nanoTime();
                for (int i = 0; i < inserts; i++) {
                    store.insert(row);
                }
                return System.nanoTime() - start;
            };
            PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO job_request (job_type, queue_name, payload, dedup_key, run_at, max_attempts, runner)"
                            + " VALUES (?, ?, cast(? AS jsonb), ?, now(), ?, ?)");
            SideBySide.Round viaJdbc = () -> {
                long start = System.nanoTime();
                for (int i = 0; i < inserts; i++) {
                    insert.setString(1, row.jobType());
                    insert.setString(2, row.queueName());
                    insert.setString(3, row.payloadJson());
                    insert.setNull(4, Types.VARCHAR);
                    insert.setInt(5, row.maxAttempts());
                    insert.setString(6, row.runner());
                    insert.executeUpdate();
                }
                return System.nanoTime() - start;
            };
            double ratio = SideBySide.compare("JobRequest inserts per second on PostgreSQL (" + inserts + " per round)",
                    "inserts/s", inserts, 3, 15, "JdbiJobRequestStore.insert", viaStore, "raw JDBC prepared INSERT", viaJdbc);
            insert.close();
            System.out.printf("Target: at least 0.80 of raw JDBC -> %s%n", ratio >= 0.8 ? "met" : "NOT met");
        }
    }
}
