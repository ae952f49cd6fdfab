package io.jobrunner.store;

import io.jobrunner.JobLimit;
import java.util.List;

/**
 * The {@code job_limit} table for {@link JdbiJobRequestStore}: the concurrency limits of the job types
 * that have one, which the claim statements enforce ({@link StoreStatements}). Thread-safe.
 */
final class JdbiLimits {

    private final StoreAccess store;

    JdbiLimits(StoreAccess store) {
        this.store = store;
    }

    /** In one transaction: the limited types upserted, the others' rows deleted by one statement. */
    void define(List<JobLimit> limits) {
        if (limits.isEmpty()) {
            return;
        }
        List<String> unlimited = limits.stream().filter(limit -> !limit.limited()).map(JobLimit::jobType).toList();
        store.call("store the concurrency limits", () -> store.jdbi.inTransaction(h -> {
            if (!unlimited.isEmpty()) {
                StoreAccess.bindEach(h.createUpdate("DELETE FROM job_limit WHERE job_type IN "
                        + StoreStatements.inList("type", unlimited.size())), "type", unlimited).execute();
            }
            for (JobLimit limit : limits) {
                if (limit.limited()) {
                    h.createUpdate("INSERT INTO job_limit (job_type, max_running, max_running_per_key) VALUES (:type, :max,"
                                    + " :perKey) ON CONFLICT (job_type) DO UPDATE SET max_running = excluded.max_running,"
                                    + " max_running_per_key = excluded.max_running_per_key, updated_at = " + store.sql.now())
                            .bind("type", limit.jobType())
                            .bind("max", limit.maxRunning() > 0 ? limit.maxRunning() : null)
                            .bind("perKey", limit.maxRunningPerKey() > 0 ? limit.maxRunningPerKey() : null)
                            .execute();
                }
            }
            return null;
        }));
    }

    List<JobLimit> list() {
        return store.call("list the concurrency limits", () -> store.jdbi.withHandle(h -> h.createQuery(
                        "SELECT l.job_type, l.max_running, l.max_running_per_key, (SELECT count(*) FROM job_request r"
                                + " WHERE r.status = " + StoreStatements.RUNNING + " AND r.job_type = l.job_type) AS running"
                                + " FROM job_limit l ORDER BY l.job_type")
                .map((rs, ctx) -> new JobLimit(rs.getString("job_type"), rs.getInt("max_running"),
                        rs.getInt("max_running_per_key"), rs.getLong("running")))
                .list()));
    }
}
