package io.jobrunner.store;

import io.jobrunner.BatchProgress;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.RunWhen;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.NewJobRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dependencies between jobs and batches: a graph of new rows stored in one transaction, and the
 * settling of a finished job's dependents — each dependency counted once by the dependent
 * ({@link StoreStatements#settle}), which is queued when its last dependency finished, or cancelled
 * when its {@link RunWhen} can no longer hold (and its own dependents settled in turn). Settling
 * follows the finishing statement at once; a finish whose settling was cut short (the process died
 * between the two) is settled by {@link #settleMissed()}, which every worker's recovery pass runs.
 * Thread-safe.
 */
final class JdbiWorkflows {

    private static final Logger log = LoggerFactory.getLogger(JdbiWorkflows.class);
    /** Ids per statement where a list is bound value by value. */
    private static final int CHUNK = 500;

    private final StoreAccess store;
    private final JdbiInserts inserts;
    private final List<Consumer<List<JobRequest>>> releaseWatchers = new CopyOnWriteArrayList<>();

    JdbiWorkflows(StoreAccess store, JdbiInserts inserts) {
        this.store = store;
        this.inserts = inserts;
    }

    AutoCloseable watchReleased(Consumer<List<JobRequest>> watcher) {
        releaseWatchers.add(watcher);
        return () -> releaseWatchers.remove(watcher);
    }

    /** Reads a finished row; adds its id to {@code withDependents} when jobs depend on it. */
    JobRequest read(ResultSet row, List<Long> withDependents) throws SQLException {
        JobRequest request = store.rows.read(row);
        if (request.status().isFinished() && row.getBoolean("has_dependents")) {
            withDependents.add(request.id());
        }
        return request;
    }

    /**
     * Stores the rows in one transaction: those without dependencies in bulk, then each dependent
     * after the rows it names (earlier ones of the list, or stored ids), marking those as having
     * dependents before it counts how many of them have finished.
     */
    InsertedGraph insertGraph(List<NewJobRequest> rows) {
        try (Connection connection = store.dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                InsertedGraph graph = insertGraph(connection, rows);
                connection.commit();
                return graph;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("Could not store " + rows.size() + " job requests with their dependencies (none "
                    + "was stored): " + e.getMessage(), e);
        }
    }

    private InsertedGraph insertGraph(Connection connection, List<NewJobRequest> rows) throws SQLException {
        InsertResult[] results = new InsertResult[rows.size()];
        List<Integer> plain = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            NewJobRequest row = rows.get(i);
            for (int earlier : row.workflow().afterRows()) {
                if (earlier < 0 || earlier >= i) {
                    throw new IllegalArgumentException("Row " + i + " (" + row.jobType() + ") runs after row " + earlier
                            + ", which is not an earlier row of the same graph");
                }
            }
            if (!row.hasDependencies()) {
                plain.add(i);
            }
        }
        List<InsertResult> stored = inserts.insertAll(connection, plain.stream().map(rows::get).toList());
        for (int k = 0; k < plain.size(); k++) {
            results[plain.get(k)] = stored.get(k);
        }
        Long batchId = null;
        List<Long> members = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).workflow().batchMember()) {
                if (rows.get(i).hasDependencies()) {
                    throw new IllegalArgumentException("A batch member cannot depend on other jobs (row " + i + ", "
                            + rows.get(i).jobType() + ")");
                }
                members.add(results[i].request().id());
            }
        }
        if (!members.isEmpty()) {
            batchId = createBatch(connection, members);
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).workflow().batchMember()) {
                    results[i] = withBatch(results[i], batchId);
                }
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            NewJobRequest row = rows.get(i);
            if (row.hasDependencies()) {
                LinkedHashSet<Long> after = new LinkedHashSet<>(row.workflow().after());
                for (int earlier : row.workflow().afterRows()) {
                    after.add(results[earlier].request().id());
                }
                results[i] = insertDependent(connection, row, List.copyOf(after));
            }
        }
        if (batchId != null) {
            List<Long> callbacks = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).hasDependencies()) {
                    callbacks.add(results[i].request().id());
                }
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE job_batch SET callbacks = ? WHERE id = ?")) {
                update.setString(1, callbacks.stream().map(String::valueOf).collect(Collectors.joining(",")));
                update.setLong(2, batchId);
                update.executeUpdate();
            }
        }
        return new InsertedGraph(batchId, Arrays.asList(results));
    }

    private static InsertResult withBatch(InsertResult result, long batchId) {
        JobRequest r = result.request();
        return new InsertResult(new JobRequest(r.id(), r.jobType(), r.queueName(), r.payloadJson(), r.status(),
                r.progress(), r.resultMessage(), r.resultJson(), r.lastError(), r.attempts(), r.maxAttempts(), r.dedupKey(),
                r.runAt(), r.lockedBy(), r.lockedUntil(), r.runner(), r.cancelRequested(), r.handedOffAt(),
                r.handOffTarget(), r.createdAt(), r.updatedAt(), r.startedAt(), r.finishedAt(), r.attemptStartedAt(),
                r.history(), r.traceParent(), r.priority(), r.concurrencyKey(), r.waitingOn(), r.runWhen(), batchId),
                result.outcome());
    }

    /** A batch of the members (a member stored before, in another batch, stays in that one). */
    private long createBatch(Connection connection, List<Long> members) throws SQLException {
        long batchId;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO job_batch (total) VALUES (?) RETURNING id")) {
            insert.setInt(1, members.size());
            try (ResultSet result = insert.executeQuery()) {
                result.next();
                batchId = result.getLong(1);
            }
        }
        int joined = 0;
        for (List<Long> chunk : chunks(members)) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE job_request SET batch_id = ? WHERE id IN "
                    + placeholders(chunk.size()) + " AND batch_id IS NULL")) {
                update.setLong(1, batchId);
                bind(update, 2, chunk);
                joined += update.executeUpdate();
            }
        }
        if (joined != members.size()) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE job_batch SET total = ? WHERE id = ?")) {
                update.setInt(1, joined);
                update.setLong(2, batchId);
                update.executeUpdate();
            }
        }
        return batchId;
    }

    /**
     * One dependent row: its dependencies marked (which locks them, so none finishes unseen while this
     * transaction runs), counted, and the row stored waiting, queued or cancelled accordingly.
     */
    private InsertResult insertDependent(Connection connection, NewJobRequest row, List<Long> after) throws SQLException {
        Map<Long, JobStatus> statuses = new HashMap<>();
        for (List<Long> chunk : chunks(after)) {
            try (PreparedStatement mark = connection.prepareStatement("UPDATE job_request SET has_dependents = true"
                    + " WHERE id IN " + placeholders(chunk.size()) + " RETURNING id, status")) {
                bind(mark, 1, chunk);
                try (ResultSet result = mark.executeQuery()) {
                    while (result.next()) {
                        statuses.put(result.getLong(1), JobStatus.fromDbValue(result.getString(2)));
                    }
                }
            }
        }
        if (statuses.size() != after.size()) {
            List<Long> missing = after.stream().filter(id -> !statuses.containsKey(id)).limit(10).toList();
            throw new IllegalArgumentException("A " + row.jobType() + " job cannot run after job requests " + missing
                    + ": no such job request is stored (purged, or never dispatched). Name the ids of stored jobs");
        }
        int waiting = (int) statuses.values().stream().filter(status -> !status.isFinished()).count();
        int failed = (int) statuses.values().stream()
                .filter(status -> status == JobStatus.FAILED || status == JobStatus.CANCELLED).count();
        RunWhen when = row.workflow().runWhen();
        String cancelled = cancelReason(when, waiting, failed);
        JobStatus status = cancelled != null ? JobStatus.CANCELLED : waiting > 0 ? JobStatus.WAITING : JobStatus.QUEUED;
        // Stored queued and changed in the same transaction: no one sees it before it waits.
        InsertResult inserted = inserts.insertOne(connection, status == JobStatus.QUEUED ? row
                : row.withHandOff(row.handOffTarget(), false));
        if (!inserted.created()) {
            return inserted;  // its dedup key was stored: that request is the answer, with its own dependencies
        }
        long id = inserted.request().id();
        JobRequest stored;
        try (PreparedStatement update = connection.prepareStatement(store.sql.storeDependent())) {
            update.setString(1, status.dbValue());
            update.setInt(2, waiting);
            update.setInt(3, failed);
            update.setString(4, when.dbValue());
            update.setString(5, cancelled);
            update.setString(6, cancelled);
            update.setLong(7, id);
            try (ResultSet result = update.executeQuery()) {
                result.next();
                stored = store.rows.read(result);
            }
        }
        List<Long> unfinished = after.stream().filter(dependency -> !statuses.get(dependency).isFinished()).toList();
        insertEdges(connection, id, after, unfinished);
        return new InsertResult(stored, inserted.outcome());
    }

    /** Why a dependent is cancelled with these counts, or {@code null} when it is not. */
    private static String cancelReason(RunWhen when, int waiting, int failed) {
        if (when == RunWhen.ALL_SUCCEEDED && failed > 0) {
            return StoreStatements.DEPENDENCY_FAILED;
        }
        if (when == RunWhen.ANY_FAILED && waiting == 0 && failed == 0) {
            return StoreStatements.NO_DEPENDENCY_FAILED;
        }
        return null;
    }

    private void insertEdges(Connection connection, long id, List<Long> after, List<Long> unfinished) throws SQLException {
        for (List<Long> chunk : chunks(after)) {
            String values = String.join(", ", java.util.Collections.nCopies(chunk.size(), "(?, ?, ?)"));
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO job_dependency (depends_on, job_id, settled) VALUES " + values)) {
                int index = 1;
                for (Long dependency : chunk) {
                    insert.setLong(index++, dependency);
                    insert.setLong(index++, id);
                    insert.setBoolean(index++, !unfinished.contains(dependency));
                }
                insert.executeUpdate();
            }
        }
    }

    /**
     * Settles the dependents of the finished jobs, in one transaction: each counts their finish once;
     * those whose last dependency finished are queued, those whose condition can no longer hold are
     * cancelled and their own dependents settled in turn. Tells the release watchers of the queued ones.
     */
    void settle(Collection<Long> finished) {
        if (finished.isEmpty()) {
            return;
        }
        List<JobRequest> released = store.call("settle the dependents of job requests " + finished, () ->
                store.jdbi.inTransaction(h -> {
                    List<JobRequest> queued = new ArrayList<>();
                    List<Long> frontier = List.copyOf(finished);
                    while (!frontier.isEmpty()) {
                        List<Long> next = new ArrayList<>();
                        for (List<Long> chunk : chunks(frontier)) {
                            List<JobRequest> settled = StoreAccess.bindEach(h.createQuery(store.sql.settle(chunk.size())),
                                    "id", chunk).map((rs, ctx) -> read(rs, next)).list();
                            if (!store.postgres()) {
                                StoreAccess.bindEach(h.createUpdate(store.sql.markSettled(chunk.size())), "id", chunk)
                                        .execute();
                            }
                            settled.stream().filter(r -> r.status() == JobStatus.QUEUED).forEach(queued::add);
                        }
                        frontier = next;
                    }
                    return queued;
                }));
        if (!released.isEmpty()) {
            for (Consumer<List<JobRequest>> watcher : releaseWatchers) {
                try {
                    watcher.accept(released);
                } catch (RuntimeException e) {
                    log.warn("A watcher of released job requests failed; they stay queued for the next claim or sweep", e);
                }
            }
        }
    }

    /**
     * Settles finished jobs whose dependents have not counted them yet (their process died between
     * the finish and its settling); returns how many finished jobs it settled.
     */
    int settleMissed() {
        List<Long> missed = store.call("look for unsettled dependencies", () -> store.jdbi.withHandle(h -> h.createQuery(
                "SELECT DISTINCT d.depends_on FROM job_dependency d JOIN job_request p ON p.id = d.depends_on"
                        + " WHERE NOT d.settled AND p.status IN " + StoreStatements.FINISHED + " LIMIT " + CHUNK)
                .mapTo(Long.class).list()));
        settle(missed);
        return missed.size();
    }

    /** The ids the request depends on, in id order. */
    List<Long> dependencies(long id) {
        return store.call("read the dependencies of job request " + id, () -> store.jdbi.withHandle(h -> h.createQuery(
                "SELECT depends_on FROM job_dependency WHERE job_id = :id ORDER BY depends_on")
                .bind("id", id).mapTo(Long.class).list()));
    }

    Optional<BatchProgress> batch(long id) {
        return store.call("read batch " + id, () -> store.jdbi.withHandle(h -> {
            Optional<Map<String, Object>> batch = h.createQuery("SELECT total, callbacks FROM job_batch WHERE id = :id")
                    .bind("id", id).mapToMap().findOne();
            if (batch.isEmpty()) {
                return Optional.empty();
            }
            Map<JobStatus, Long> counts = new HashMap<>();
            h.createQuery("SELECT status, count(*) AS n FROM job_request WHERE batch_id = :id GROUP BY status")
                    .bind("id", id)
                    .map((rs, ctx) -> counts.put(JobStatus.fromDbValue(rs.getString("status")), rs.getLong("n"))).list();
            String callbacks = String.valueOf(batch.get().get("callbacks"));
            List<Long> callbackIds = callbacks.isEmpty() ? List.of()
                    : Arrays.stream(callbacks.split(",")).map(Long::valueOf).toList();
            return Optional.of(new BatchProgress(id, ((Number) batch.get().get("total")).longValue(),
                    counts.getOrDefault(JobStatus.SUCCEEDED, 0L), counts.getOrDefault(JobStatus.FAILED, 0L),
                    counts.getOrDefault(JobStatus.CANCELLED, 0L), counts.getOrDefault(JobStatus.RUNNING, 0L),
                    callbackIds));
        }));
    }

    private static List<List<Long>> chunks(List<Long> ids) {
        List<List<Long>> chunks = new ArrayList<>();
        for (int start = 0; start < ids.size(); start += CHUNK) {
            chunks.add(ids.subList(start, Math.min(ids.size(), start + CHUNK)));
        }
        return chunks;
    }

    private static String placeholders(int count) {
        return "(" + String.join(", ", java.util.Collections.nCopies(count, "?")) + ")";
    }

    private static void bind(PreparedStatement statement, int from, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            statement.setLong(from + i, ids.get(i));
        }
    }
}
