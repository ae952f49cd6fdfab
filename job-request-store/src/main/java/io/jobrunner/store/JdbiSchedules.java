package io.jobrunner.store;

import io.jobrunner.JobRequest;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.ScheduleFiring;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The {@code job_schedule} table for {@link JdbiJobRequestStore}. Firing an occurrence locks the
 * schedule's row, so concurrent schedulers queue up and all but one find it moved on; the job is
 * inserted in the same transaction. Thread-safe.
 */
final class JdbiSchedules {

    static final RowMapper<ScheduledJob> SCHEDULE = (rs, ctx) -> {
        String name = rs.getString("name");
        try {
            return new ScheduledJob(
                    name, rs.getString("spec"), rs.getString("zone"), rs.getString("job_type"),
                    rs.getString("queue_name"), rs.getString("payload"), nullableInt(rs, "max_attempts"),
                    rs.getBoolean("allow_overlap"),
                    RecurringJob.MissedRuns.valueOf(rs.getString("missed_runs").toUpperCase(Locale.ROOT)),
                    Instant.ofEpochMilli(rs.getLong("next_run_ms")), instantOfMillis(rs, "last_occurrence_ms"),
                    nullableLong(rs, "last_job_id"), rs.getBoolean("paused"));
        } catch (SQLException | RuntimeException e) {
            throw new UnreadableRowException("job_schedule", "'" + name + "'", e);
        }
    };

    private final StoreAccess store;
    private final Jdbi jdbi;
    private final StoreStatements sql;
    private final JdbiInserts inserts;

    JdbiSchedules(StoreAccess store, JdbiInserts inserts) {
        this.store = store;
        this.jdbi = store.jdbi;
        this.sql = store.sql;
        this.inserts = inserts;
    }

    ScheduledJob save(ScheduledJob schedule) {
        return call("save schedule '" + schedule.name() + "'", () -> jdbi.withHandle(h -> bindColumns(h.createQuery(
                        "INSERT INTO job_schedule (name, spec, zone, job_type, queue_name, payload, max_attempts,"
                                + " allow_overlap, missed_runs, next_run_ms, last_occurrence_ms, last_job_id)"
                                + " VALUES (:name, :spec, :zone, :jobType, :queueName, " + sql.dialect.json(":payload") + ", :maxAttempts,"
                                + " :allowOverlap, :missedRuns, :nextRunMs, :lastOccurrenceMs, :lastJobId)"
                                + " ON CONFLICT (name) DO UPDATE SET job_type = EXCLUDED.job_type,"
                                + " queue_name = EXCLUDED.queue_name, payload = EXCLUDED.payload,"
                                + " max_attempts = EXCLUDED.max_attempts, allow_overlap = EXCLUDED.allow_overlap,"
                                + " missed_runs = EXCLUDED.missed_runs, next_run_ms = CASE WHEN job_schedule.spec = EXCLUDED.spec"
                                + " AND job_schedule.zone = EXCLUDED.zone THEN job_schedule.next_run_ms ELSE EXCLUDED.next_run_ms END,"
                                + " spec = EXCLUDED.spec, zone = EXCLUDED.zone, updated_at = " + sql.now() + " RETURNING *"), schedule)
                .map(SCHEDULE).one()));
    }

    /** Binds a schedule's columns as {@code :name}, {@code :spec} … {@code :lastJobId}; times in epoch milliseconds. */
    static <S extends SqlStatement<S>> S bindColumns(S statement, ScheduledJob schedule) {
        return statement
                .bind("name", schedule.name())
                .bind("spec", schedule.spec())
                .bind("zone", schedule.zone())
                .bind("jobType", schedule.jobType())
                .bind("queueName", schedule.queueName())
                .bind("payload", schedule.payloadJson())
                .bind("maxAttempts", schedule.maxAttempts())
                .bind("allowOverlap", schedule.allowOverlap())
                .bind("missedRuns", schedule.missedRuns().name().toLowerCase(Locale.ROOT))
                .bind("nextRunMs", schedule.nextRunAt().toEpochMilli())
                .bind("lastOccurrenceMs", schedule.lastOccurrence() == null ? null : schedule.lastOccurrence().toEpochMilli())
                .bind("lastJobId", schedule.lastJobId());
    }

    Optional<ScheduledJob> find(String name) {
        return call("find schedule '" + name + "'", () -> jdbi.withHandle(h -> h.createQuery(
                "SELECT * FROM job_schedule WHERE name = :name").bind("name", name).map(SCHEDULE).findOne()));
    }

    List<ScheduledJob> list() {
        return call("list schedules", () -> jdbi.withHandle(h -> h.createQuery(
                "SELECT * FROM job_schedule ORDER BY name").map(SCHEDULE).list()));
    }

    List<ScheduledJob> due(Instant now) {
        return call("find due schedules", () -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM job_schedule WHERE next_run_ms <= :now AND NOT paused ORDER BY next_run_ms, name")
                .bind("now", now.toEpochMilli()).map(SCHEDULE).list()));
    }

    boolean delete(String name) {
        return call("delete schedule '" + name + "'", () -> jdbi.withHandle(h -> h.createUpdate(
                "DELETE FROM job_schedule WHERE name = :name").bind("name", name).execute()) > 0);
    }

    Optional<ScheduledJob> pause(String name, boolean paused, Instant resumeAt) {
        return call((paused ? "pause" : "resume") + " schedule '" + name + "'", () -> jdbi.withHandle(h -> h.createQuery(
                        "UPDATE job_schedule SET next_run_ms = CASE WHEN paused AND NOT :paused THEN cast(:resumeMs AS bigint) ELSE"
                                + " next_run_ms END, paused = :paused, updated_at = " + sql.now() + " WHERE name = :name RETURNING *")
                .bind("paused", paused)
                .bind("resumeMs", resumeAt == null ? null : resumeAt.toEpochMilli())
                .bind("name", name)
                .map(SCHEDULE).findOne()));
    }

    /** One transaction: see the class comment. */
    ScheduleFiring fire(String name, Instant due, Instant next, Instant occurrence, NewJobRequest request) {
        return call("fire schedule '" + name + "'", () -> jdbi.inTransaction(h -> {
            Optional<ScheduledJob> current = h.createQuery(
                            "SELECT * FROM job_schedule WHERE name = :name AND next_run_ms = :due AND NOT paused"
                                    + sql.dialect.forUpdate())
                    .bind("name", name).bind("due", due.toEpochMilli()).map(SCHEDULE).findOne();
            if (current.isEmpty()) {
                return new ScheduleFiring(ScheduleFiring.Outcome.TAKEN, null);
            }
            ScheduleFiring.Outcome outcome;
            JobRequest fired = null;
            if (request == null) {
                outcome = ScheduleFiring.Outcome.SKIPPED;
            } else if (!current.get().allowOverlap() && current.get().lastJobId() != null && h.createQuery(
                            "SELECT count(*) FROM job_request WHERE id = :id AND status IN (" + StoreStatements.QUEUED + ", "
                                    + StoreStatements.RUNNING + ")")
                    .bind("id", current.get().lastJobId()).mapTo(Integer.class).one() > 0) {
                outcome = ScheduleFiring.Outcome.SKIPPED_OVERLAP;
            } else {
                try {
                    fired = inserts.insertRow(h.getConnection(), request).orElse(null);
                } catch (SQLException e) {
                    throw JdbiInserts.insertFailed(request, e);
                }
                outcome = fired == null ? ScheduleFiring.Outcome.TAKEN : ScheduleFiring.Outcome.FIRED;
            }
            h.createUpdate("UPDATE job_schedule SET next_run_ms = :next, last_occurrence_ms = :occurrence,"
                            + " last_job_id = coalesce(:jobId, last_job_id), updated_at = " + sql.now() + " WHERE name = :name")
                    .bind("next", next.toEpochMilli())
                    .bind("occurrence", occurrence.toEpochMilli())
                    .bind("jobId", fired == null ? null : fired.id())
                    .bind("name", name)
                    .execute();
            return new ScheduleFiring(outcome, fired);
        }));
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instantOfMillis(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private <T> T call(String action, Supplier<T> body) {
        return store.call(action, body);
    }
}
