package io.jobrunner.store;

import static io.jobrunner.store.StoreAccess.bindEach;
import static io.jobrunner.store.StoreAccess.planned;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the sweeps of runners and workers call: the hand-off outbox (mark, clear, take what is due or
 * presumed lost), recovery of requests whose worker's lease expired, and the purge of finished
 * requests. Each takes rows other sweepers hold only once. Thread-safe.
 */
final class JdbiSweeps {

    /** Largest list bound one value at a time in an {@code IN (…)}; longer lists go in chunks. */
    private static final int IN_LIST_CHUNK = 500;

    private final StoreAccess store;
    private final StoreStatements sql;

    private final JdbiWorkflows workflows;

    JdbiSweeps(StoreAccess store, JdbiWorkflows workflows) {
        this.store = store;
        this.workflows = workflows;
        this.sql = store.sql;
    }

    void markHandedOff(Collection<Long> ids) {
        List<Long> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += IN_LIST_CHUNK) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST_CHUNK));
            store.call("mark " + chunk.size() + " job requests handed off", () -> store.jdbi.withHandle(h ->
                    bindEach(h.createUpdate(sql.markHandedOff(chunk.size())), "id", chunk).execute()));
        }
    }

    void clearHandOff(long id) {
        store.call("clear the hand-off of job request " + id, () -> store.jdbi.withHandle(h ->
                h.createUpdate(sql.clearHandOff).bind("id", id).execute()));
    }

    List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore, Duration staleAfter, int limit) {
        return store.call("claim hand-offs of runner " + runner, () -> store.jdbi.withHandle(h ->
                planned(h.createQuery(sql.claimHandOffs()))
                        .bind("runner", runner)
                        .bind("target", target)
                        .bind("dueBeforeMs", dueBefore.toEpochMilli())
                        .bind("staleMs", staleAfter.toMillis())
                        .bind("limit", limit)
                        .mapTo(JobRequest.class).list()
                        .stream().sorted(StoreAccess.CLAIM_ORDER).toList()));
    }

    List<JobRequest> requeueAbandoned(String runner, String target) {
        return store.call("requeue abandoned job requests of runner " + runner, () -> store.jdbi.withHandle(h ->
                planned(h.createQuery(sql.requeueAbandoned()))
                        .bind("runner", runner).bind("target", target)
                        .mapTo(JobRequest.class).list()));
    }

    /**
     * Fails the abandoned requests with no attempts left and settles their dependents; then settles
     * the finishes whose dependents were not settled (their process died in between).
     */
    List<JobRequest> failAbandoned() {
        Map<Long, Boolean> withDependents = new java.util.LinkedHashMap<>();
        List<JobRequest> failed = store.call("fail abandoned job requests", () -> store.jdbi.withHandle(h ->
                planned(h.createQuery(sql.failAbandoned)).map((rs, ctx) -> workflows.read(rs, withDependents)).list()));
        workflows.settle(withDependents);
        workflows.settleMissed();
        store.call("delete starts older than their rate limit's window", () -> store.jdbi.withHandle(h ->
                h.createUpdate(sql.purgeStarts()).execute()));
        return failed;
    }

    int purgeFinished(Duration retention) {
        return store.call("purge finished job requests", () -> store.jdbi.withHandle(h ->
                planned(h.createUpdate(sql.purgeOlderThan)).bind("ms", retention.toMillis()).execute()));
    }

    int purgeFinished(Set<JobStatus> statuses, Duration olderThan, int limit) {
        List<String> finished = statuses.stream().filter(JobStatus::isFinished).map(JobStatus::dbValue).sorted().toList();
        if (finished.size() != statuses.size() || finished.isEmpty()) {
            throw new IllegalArgumentException("Only finished requests can be purged (succeeded, failed, cancelled), not "
                    + statuses);
        }
        return store.call("purge finished job requests", () -> store.jdbi.withHandle(h ->
                bindEach(planned(h.createUpdate(sql.purge(finished.size()))), "status", finished)
                        .bind("ms", olderThan.toMillis())
                        .bind("limit", limit)
                        .execute()));
    }
}
