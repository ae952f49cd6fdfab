package io.jobrunner.store;

import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import java.util.List;

/**
 * The {@code job_pause} table for {@link JdbiJobRequestStore}: one row per paused queue or job type,
 * which every claim statement checks ({@link StoreStatements#NOT_PAUSED}). Thread-safe.
 */
final class JdbiPauses {

    private final StoreAccess store;

    JdbiPauses(StoreAccess store) {
        this.store = store;
    }

    boolean pause(Pause pause) {
        return store.call("pause " + pause, () -> store.jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO job_pause (kind, name) VALUES (:kind, :name) ON CONFLICT (kind, name) DO NOTHING")
                .bind("kind", pause.kind().dbValue()).bind("name", pause.name()).execute() == 1));
    }

    /** Deletes the pause; on PostgreSQL, wakes the database workers in the same transaction. */
    boolean resume(Pause pause) {
        return store.call("resume " + pause, () -> store.jdbi.inTransaction(h -> {
            boolean ended = h.createUpdate("DELETE FROM job_pause WHERE kind = :kind AND name = :name")
                    .bind("kind", pause.kind().dbValue()).bind("name", pause.name()).execute() == 1;
            if (ended && store.postgres()) {
                h.createQuery("SELECT pg_notify('jobrunner_' || current_schema(), '')").mapTo(String.class).one();
            }
            return ended;
        }));
    }

    List<PausedWork> list() {
        String held = "SELECT count(*) FROM job_request r WHERE r.status = " + StoreStatements.QUEUED
                + " AND ((p.kind = 'type' AND r.job_type = p.name) OR (p.kind = 'queue'"
                + " AND coalesce(r.queue_name, '" + Pause.DEFAULT_QUEUE + "') = p.name))";
        return store.call("list the pauses", () -> store.jdbi.withHandle(h -> h.createQuery(
                        "SELECT p.kind, p.name, p.paused_at, (" + held + ") AS queued FROM job_pause p ORDER BY p.kind, p.name")
                .map((rs, ctx) -> new PausedWork(new Pause(Pause.Kind.fromDbValue(rs.getString("kind")), rs.getString("name")),
                        store.rows.instant(rs, "paused_at"), rs.getLong("queued")))
                .list()));
    }
}
