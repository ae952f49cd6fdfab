package io.jobrunner.benchmarks;

import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Waits until a batch of jobs has succeeded, polling lightly (every 100 ms) so the wait takes next
 * to nothing from the work it measures, and reads when the last job finished from the store itself.
 */
final class Finish {

    private Finish() {
    }

    /**
     * Blocks until {@code count} requests with ids from {@code firstId} on have succeeded.
     *
     * @return the epoch millisecond at which the last of them finished, by the database's clock
     */
    static long awaitSucceeded(PostgresFixture postgres, long firstId, int count) throws Exception {
        try (Connection connection = postgres.connect();
             PreparedStatement done = connection.prepareStatement("SELECT count(*),"
                     + " cast(floor(extract(epoch FROM max(finished_at)) * 1000) AS bigint)"
                     + " FROM job_request WHERE id >= ? AND status = 'succeeded'")) {
            done.setLong(1, firstId);
            while (true) {
                try (ResultSet rs = done.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= count) {
                        return rs.getLong(2);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Transactions committed in the database so far, all sessions, the benchmark's own polls (ten a
     * second, autocommit) included. Waits 1.5 s first: backends report their counts about once a second.
     */
    static long commits(PostgresFixture postgres) throws Exception {
        Thread.sleep(1_500);
        try (Connection connection = postgres.connect();
             ResultSet rs = connection.createStatement().executeQuery(
                     "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Jobs per second from {@code startMillis} (epoch) until the last of them finished. */
    static double rate(int jobs, long startMillis, long lastFinishedMillis) {
        return jobs / (Math.max(1, lastFinishedMillis - startMillis) / 1e3);
    }
}
