package io.jobrunner.testkit;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The job of the chaos tests: sleeps the milliseconds it is given, then notes its run — job,
 * attempt, worker, start and end to the microsecond — in {@code chaos_run} of the database
 * {@code JOB_RUNNER_CONTRACT_EFFECTS_URL} names, over a connection of its own (never through the
 * proxy the test cuts), so the test sees every run that completed. Idempotent, so a run lost with
 * its worker is run again. Thread-safe.
 */
public final class ChaosJob implements JobHandler<Integer> {

    public static final String TYPE = "chaos";
    public static final String TABLE = "CREATE TABLE IF NOT EXISTS chaos_run (job_id bigint NOT NULL, attempt integer"
            + " NOT NULL, worker text NOT NULL, started_us bigint NOT NULL, finished_us bigint NOT NULL)";

    /** Attempts a chaos job is dispatched with: enough for every kill and cut it may meet. */
    public static final int MAX_ATTEMPTS = 20;

    private static final Object LOCK = new Object();
    private static Connection connection;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<Integer> payloadType() {
        return Integer.class;
    }

    @Override
    public JobPolicy policy() {
        return JobPolicy.builder().idempotent().maxAttempts(MAX_ATTEMPTS).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .timeout(Duration.ofMinutes(2)).build();
    }

    @Override
    public Object run(Integer millis, JobContext context) throws Exception {
        Instant started = Instant.now();
        Thread.sleep(millis);
        if (context.isCancelled()) {
            throw new InterruptedException("told to stop");  // a lost lease: not a completed run
        }
        Instant finished = Instant.now();
        record(context.request().id(), context.attempt(), context.request().lockedBy(), started, finished);
        return millis;
    }

    private static void record(long id, int attempt, String worker, Instant started, Instant finished)
            throws SQLException {
        synchronized (LOCK) {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(System.getenv(ContractEffects.URL_VARIABLE));
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO chaos_run VALUES (?, ?, ?, ?, ?)")) {
                insert.setLong(1, id);
                insert.setInt(2, attempt);
                insert.setString(3, worker);
                insert.setLong(4, ChronoUnit.MICROS.between(Instant.EPOCH, started));
                insert.setLong(5, ChronoUnit.MICROS.between(Instant.EPOCH, finished));
                insert.executeUpdate();
            }
        }
    }
}
