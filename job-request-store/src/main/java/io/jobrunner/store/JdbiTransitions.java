package io.jobrunner.store;

import static io.jobrunner.store.StoreAccess.bindEach;
import static io.jobrunner.store.StoreAccess.planned;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStoreException;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.Success;
import io.jobrunner.spi.store.SuccessAndNext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Claims and the transitions of a claimed request — heartbeat, progress, success, failure, requeue,
 * release, cancellation — plus retry and cancel by id: the statements of {@link StoreStatements}
 * bound and run. Every transition out of {@code running} holds only while the caller's lease does.
 * Thread-safe.
 */
final class JdbiTransitions {

    private final StoreAccess store;
    private final StoreStatements sql;
    private final JdbiWorkflows workflows;
    private final JdbiLimits limits;

    JdbiTransitions(StoreAccess store, JdbiWorkflows workflows, JdbiLimits limits) {
        this.store = store;
        this.sql = store.sql;
        this.workflows = workflows;
        this.limits = limits;
    }

    /**
     * Runs the claim statement {@code claimFor} gives (with the limits' checks or without, as
     * {@link JdbiLimits#rules()} tells) bound by {@code prepare}: as it is while no type has a rate
     * limit; else recording the starts of what it claimed — on PostgreSQL in the statement itself, on
     * SQLite by a second statement in the same transaction — so the next claims count them.
     */
    private List<JobRequest> claiming(String action, Function<Boolean, String> claimFor,
                                      BiFunction<Handle, String, Query> prepare) {
        JdbiLimits.Rules rules = limits.rules();
        String claim = claimFor.apply(rules.limited());
        if (!rules.rateLimited()) {
            return store.call(action, () -> store.jdbi.withHandle(h -> prepare.apply(h, claim).mapTo(JobRequest.class).list()));
        }
        if (store.postgres()) {
            String recording = sql.recordingStarts(claim);
            return store.call(action, () -> store.jdbi.withHandle(h -> prepare.apply(h, recording)
                    .mapTo(JobRequest.class).list()));
        }
        return store.call(action, () -> store.jdbi.inTransaction(h -> {
            List<JobRequest> claimed = prepare.apply(h, claim).mapTo(JobRequest.class).list();
            if (!claimed.isEmpty()) {
                bindEach(h.createUpdate(sql.recordStarts(claimed.size())), "id",
                        claimed.stream().map(JobRequest::id).toList()).execute();
            }
            return claimed;
        }));
    }

    Optional<JobRequest> retry(long id) {
        return store.call("retry job request " + id, () -> store.jdbi.withHandle(h -> h.createQuery(sql.retry("job_request"))
                .bind(0, id).mapTo(JobRequest.class).findOne()));
    }

    Optional<JobRequest> claim(long id, String owner, Duration leaseTime) {
        return claiming("claim job request " + id, sql::claim, (h, claim) -> h.createQuery(claim)
                .bind("id", id)
                .bind("owner", owner)
                .bind("leaseMs", leaseTime.toMillis())).stream().findFirst();
    }

    List<JobRequest> claimAll(Collection<Long> ids, String handOffTarget, String owner, Duration leaseTime) {
        List<Long> distinct = ids.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return List.of();
        }
        String what = distinct.size() == 1 ? "job request " + distinct.get(0) : distinct.size() + " job requests";
        return claiming("claim " + what + " for " + handOffTarget,
                limited -> sql.claimHandedOff(distinct.size(), limited), (h, claim) ->
                bindEach(h.createQuery(claim), "id", distinct)
                        .bind("target", handOffTarget)
                        .bind("owner", owner)
                        .bind("leaseMs", leaseTime.toMillis()));
    }

    List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit) {
        Matching matching = new Matching(filter);
        return claiming("claim job requests", limited -> sql.claimNext(matching.conditions, limited), (h, statement) ->
                matching.bind(planned(h.createQuery(statement)), owner, leaseTime).bind("limit", limit))
                .stream().sorted(StoreAccess.CLAIM_ORDER).toList();
    }

    /** By primary key, so the statement keeps its cached plan (unlike {@link #claimNext}, nothing here depends on the table's size). */
    List<JobRequest> claimQueued(Collection<Long> ids, ClaimFilter filter, String owner, Duration leaseTime) {
        List<Long> distinct = ids.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return List.of();
        }
        Matching matching = new Matching(filter);
        return claiming("claim queued job requests " + distinct,
                limited -> sql.claimQueued(distinct.size(), matching.conditions, limited), (h, statement) ->
                matching.bind(bindEach(h.createQuery(statement), "id", distinct), owner, leaseTime))
                .stream().sorted(StoreAccess.CLAIM_ORDER).toList();
    }

    /** A claim filter as further {@code AND …} conditions of a claim, and their values with the claim's own. */
    private static final class Matching {
        private final List<String> types;
        private final List<String> queues;
        private final String runner;
        final String conditions;

        Matching(ClaimFilter filter) {
            types = filter.jobTypes().stream().sorted().toList();
            queues = filter.queueNames().stream().sorted().toList();
            runner = filter.runner();
            StringBuilder and = new StringBuilder();
            if (!types.isEmpty()) {
                and.append(" AND job_type IN ").append(StoreStatements.inList("type", types.size()));
            }
            if (!queues.isEmpty()) {
                and.append(" AND queue_name IN ").append(StoreStatements.inList("queue", queues.size()));
            }
            if (runner != null) {
                and.append(" AND runner = :runner");
            }
            conditions = and.toString();
        }

        Query bind(Query claim, String owner, Duration leaseTime) {
            Query bound = bindEach(bindEach(claim, "type", types), "queue", queues)
                    .bind("owner", owner)
                    .bind("leaseMs", leaseTime.toMillis());
            return runner == null ? bound : bound.bind("runner", runner);
        }
    }

    Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime) {
        return leased("extend the lease of", lease, sql.heartbeat, q -> q.bind("leaseMs", leaseTime.toMillis()));
    }

    Optional<JobRequest> progress(Lease lease, int percent, String message) {
        return leased("record progress of", lease, sql.progress, q -> q.bind("progress", percent).bind("message", message));
    }

    /** On PostgreSQL one statement ({@link StoreStatements#succeedAndTakeNext}); on SQLite the success alone. */
    SuccessAndNext succeedAndTakeNext(Lease lease, String resultJson, String message, ClaimFilter filter, String owner,
                                      Duration leaseTime) {
        if (!store.postgres()) {
            return new SuccessAndNext(succeed(lease, resultJson, message), Optional.empty());
        }
        Matching matching = new Matching(filter);
        Map<Long, Boolean> withDependents = new java.util.LinkedHashMap<>();
        JobRequest[] done = new JobRequest[1];
        JobRequest[] next = new JobRequest[1];
        store.call("record success of job request " + lease.jobId() + " and take the next of its type", () ->
                store.jdbi.withHandle(h -> matching.bind(h.createQuery(sql.succeedAndTakeNext(matching.conditions)), owner,
                                leaseTime)
                        .bind("id", lease.jobId()).bind("attempt", lease.attempt())
                        .bind("result", resultJson).bind("message", message)
                        .map((rs, ctx) -> {
                            if (rs.getBoolean("done_row")) {
                                done[0] = workflows.read(rs, withDependents);
                            } else {
                                next[0] = store.rows.read(rs);
                            }
                            return rs.getLong("id");
                        }).list()));
        workflows.settle(withDependents);
        return new SuccessAndNext(Optional.ofNullable(done[0]), Optional.ofNullable(next[0]));
    }

    Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        return finishing("record success of", lease, sql.succeed, q -> q.bind("result", resultJson).bind("message", message));
    }

    /**
     * On PostgreSQL one {@code UPDATE … FROM unnest(…)} whose {@code WHERE} checks each row's lease as
     * {@link #succeed} does; on SQLite, where every commit waits for the one writer anyway, one by one.
     */
    List<Optional<JobRequest>> succeedAll(List<Success> successes) {
        if (!store.postgres() || successes.size() == 1) {
            List<Optional<JobRequest>> results = new ArrayList<>(successes.size());
            for (Success success : successes) {
                results.add(succeed(success.lease(), success.resultJson(), success.message()));
            }
            return results;
        }
        int n = successes.size();
        Long[] ids = new Long[n];
        String[] owners = new String[n];
        Integer[] attempts = new Integer[n];
        String[] results = new String[n];
        String[] messages = new String[n];
        for (int i = 0; i < n; i++) {
            Success success = successes.get(i);
            ids[i] = success.lease().jobId();
            owners[i] = success.lease().owner();
            attempts[i] = success.lease().attempt();
            results[i] = success.resultJson();
            messages[i] = success.message();
        }
        Map<Long, JobRequest> recorded = new HashMap<>();
        Map<Long, Boolean> withDependents = new java.util.LinkedHashMap<>();
        try (Connection connection = store.dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.succeedMany)) {
            statement.setArray(1, connection.createArrayOf("int8", ids));
            statement.setArray(2, connection.createArrayOf("text", owners));
            statement.setArray(3, connection.createArrayOf("int4", attempts));
            statement.setArray(4, connection.createArrayOf("text", results));
            statement.setArray(5, connection.createArrayOf("text", messages));
            StoreAccess.planEachRun(statement);  // a join whose best plan depends on the table's size
            try (ResultSet result = statement.executeQuery()) {
                int[] at = null;
                while (result.next()) {
                    at = at == null ? store.rows.positions(result) : at;
                    JobRequest request = workflows.read(result, at, withDependents);
                    recorded.put(request.id(), request);
                }
            }
        } catch (SQLException e) {
            throw new JobStoreException("Could not record success of " + n + " job requests in " + store.description
                    + ": " + e.getMessage(), e);
        }
        workflows.settle(withDependents);
        List<Optional<JobRequest>> outcomes = new ArrayList<>(n);
        for (Success success : successes) {
            outcomes.add(Optional.ofNullable(recorded.get(success.lease().jobId())));
        }
        return outcomes;
    }

    Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error) {
        return finishing("record failure of", lease, sql.fail(outcome),
                q -> q.bind("error", error).bind("attemptError", JobAttempt.shortError(error)));
    }

    Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome, String error) {
        return leased("requeue", lease, sql.requeue(outcome), q -> q.bind("error", error)
                .bind("runAtMs", runAt.toEpochMilli()).bind("attemptError", JobAttempt.shortError(error)));
    }

    Optional<JobRequest> release(Lease lease) {
        return leased("release", lease, sql.release, q -> q);
    }

    Optional<JobRequest> markCancelled(Lease lease, String message) {
        return finishing("record cancellation of", lease, sql.markCancelled,
                q -> q.bind("message", message).bind("attemptError", (String) null));
    }

    Optional<JobRequest> cancel(long id) {
        Map<Long, Boolean> withDependents = new java.util.LinkedHashMap<>();
        Optional<JobRequest> cancelled = store.call("cancel job request " + id, () -> store.jdbi.withHandle(h ->
                h.createQuery(sql.cancel).bind("id", id).map((rs, ctx) -> workflows.read(rs, withDependents)).findOne()));
        workflows.settle(withDependents);
        return cancelled;
    }

    /** {@link #leased} of a transition that may finish the request: its dependents are settled after it. */
    private Optional<JobRequest> finishing(String action, Lease lease, String statement, UnaryOperator<Query> binder) {
        Map<Long, Boolean> withDependents = new java.util.LinkedHashMap<>();
        Optional<JobRequest> finished = store.call(action + " job request " + lease.jobId() + " (attempt "
                + lease.attempt() + ", owner " + lease.owner() + ")", () -> store.jdbi.withHandle(h ->
                binder.apply(h.createQuery(statement).bind("id", lease.jobId()).bind("owner", lease.owner())
                        .bind("attempt", lease.attempt())).map((rs, ctx) -> workflows.read(rs, withDependents)).findOne()));
        workflows.settle(withDependents);
        return finished;
    }

    private Optional<JobRequest> leased(String action, Lease lease, String statement, UnaryOperator<Query> binder) {
        return store.call(action + " job request " + lease.jobId() + " (attempt " + lease.attempt() + ", owner "
                + lease.owner() + ")", () -> store.jdbi.withHandle(h -> binder.apply(h.createQuery(statement)
                                .bind("id", lease.jobId())
                                .bind("owner", lease.owner())
                                .bind("attempt", lease.attempt()))
                .mapTo(JobRequest.class).findOne()));
    }
}
