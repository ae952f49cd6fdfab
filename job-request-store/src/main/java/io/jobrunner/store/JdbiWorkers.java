package io.jobrunner.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.JobWorker;
import io.jobrunner.PayloadCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code job_worker} table for {@link JdbiJobRequestStore}: one row per running worker, stamped
 * and judged live by the database's clock, so workers on machines whose clocks differ agree.
 * Thread-safe.
 */
final class JdbiWorkers {

    private static final ObjectMapper JSON = PayloadCodec.defaultCodec().mapper();
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() { };

    private final StoreAccess store;
    private final SqlDialect dialect;

    JdbiWorkers(StoreAccess store) {
        this.store = store;
        this.dialect = store.sql.dialect;
    }

    /** Inserts the worker's row or renews it; forgets workers gone for a day in the same transaction. */
    void register(JobWorker worker) {
        store.call("register worker " + worker.id(), () -> store.jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM job_worker WHERE last_seen_at < " + dialect.nowMinusMillis(":forgottenMs"))
                    .bind("forgottenMs", JobWorker.FORGOTTEN_AFTER.toMillis()).execute();
            return h.createUpdate("INSERT INTO job_worker (id, host, runner, target, job_types, queues, slots)"
                            + " VALUES (:id, :host, :runner, :target, :jobTypes, :queues, :slots)"
                            + " ON CONFLICT (id) DO UPDATE SET host = excluded.host, runner = excluded.runner,"
                            + " target = excluded.target, job_types = excluded.job_types, queues = excluded.queues,"
                            + " slots = excluded.slots, last_seen_at = " + dialect.now())
                    .bind("id", worker.id())
                    .bind("host", worker.host())
                    .bind("runner", worker.runner())
                    .bind("target", worker.target())
                    .bind("jobTypes", names(worker.jobTypes()))
                    .bind("queues", names(worker.queues()))
                    .bind("slots", worker.slots())
                    .execute();
        }));
    }

    void unregister(String id) {
        store.call("unregister worker " + id, () -> store.jdbi.withHandle(h ->
                h.createUpdate("DELETE FROM job_worker WHERE id = :id").bind("id", id).execute()));
    }

    List<JobWorker> list() {
        return store.call("list the workers", () -> store.jdbi.withHandle(h -> h.createQuery(
                        "SELECT *, last_seen_at >= " + dialect.nowMinusMillis(":liveMs") + " AS live"
                                + " FROM job_worker ORDER BY runner, id")
                .bind("liveMs", JobWorker.LIVE_WITHIN.toMillis())
                .map((rs, ctx) -> read(rs))
                .list()));
    }

    private JobWorker read(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            return new JobWorker(id, rs.getString("host"), rs.getString("runner"), rs.getString("target"),
                    names(rs.getString("job_types")), names(rs.getString("queues")), rs.getInt("slots"),
                    dialect.instant(rs, "started_at"), dialect.instant(rs, "last_seen_at"), rs.getBoolean("live"));
        } catch (SQLException | RuntimeException e) {
            throw new UnreadableRowException("job_worker", "'" + id + "'", e);
        }
    }

    private static String names(Set<String> names) {
        try {
            return JSON.writeValueAsString(new TreeSet<>(names));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A set of names is always JSON", e);
        }
    }

    private static Set<String> names(String json) {
        try {
            return Set.copyOf(JSON.readValue(json, NAMES));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON list of names: " + e.getOriginalMessage(), e);
        }
    }
}
