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
    /** True while a caller settles for everyone; the monitor guarding the fields below. */
    private final java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean();
    /** Finished jobs to settle, each with whether it failed (did not succeed). */
    private final Map<Long, Boolean> pendingSettle = new java.util.LinkedHashMap<>();
    private long settleRequested;
    private long settleDone;

    JdbiWorkflows(StoreAccess store, JdbiInserts inserts) {
        this.store = store;
        this.inserts = inserts;
    }

    AutoCloseable watchReleased(Consumer<List<JobRequest>> watcher) {
        releaseWatchers.add(watcher);
        return () -> releaseWatchers.remove(watcher);
    }

    /**
     * Reads a finished row; when jobs depend on it, adds its id to {@code withDependents}, with true
     * when it did not succeed (what its dependents count as a failed dependency).
     */
    JobRequest read(ResultSet row, Map<Long, Boolean> withDependents) throws SQLException {
        return read(row, store.rows.positions(row), withDependents);
    }

    /** {@link #read(ResultSet, Map)} with the request's columns at {@code at} ({@link JobRequestRowMapper#positions}). */
    JobRequest read(ResultSet row, int[] at, Map<Long, Boolean> withDependents) throws SQLException {
        JobRequest request = store.rows.read(row, at);
        if (request.status().isFinished() && row.getBoolean("has_dependents")) {
            withDependents.put(request.id(), request.status() != JobStatus.SUCCEEDED);
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
        insertDependents(connection, rows, results);
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
        int joined = updateEach(connection, "UPDATE job_request SET batch_id = " + batchId + " WHERE batch_id IS NULL AND id",
                members);
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
     * The dependent rows, after the rows they name are stored: every dependency is marked as having
     * dependents first (which locks the stored ones, so none finishes unseen while this transaction
     * runs, and reads their statuses); then the dependents go in waves of rows that do not depend on
     * one another, each wave in multi-row inserts that store each row waiting, queued or cancelled as
     * its dependencies stand; then their edges.
     */
    private void insertDependents(Connection connection, List<NewJobRequest> rows, InsertResult[] results)
            throws SQLException {
        boolean[] isParent = new boolean[rows.size()];
        LinkedHashSet<Long> storedParents = new LinkedHashSet<>();
        LinkedHashSet<Long> newParents = new LinkedHashSet<>();
        Map<Long, JobStatus> statuses = new HashMap<>();
        for (NewJobRequest row : rows) {
            storedParents.addAll(row.workflow().after());
            for (int earlier : row.workflow().afterRows()) {
                isParent[earlier] = true;
                InsertResult parent = results[earlier];
                if (!rows.get(earlier).hasDependencies()) {
                    // stored by this call: no one else sees it before the commit, so its status is the one here
                    (parent.created() ? newParents : storedParents).add(parent.request().id());
                    statuses.put(parent.request().id(), parent.request().status());
                }
            }
        }
        if (storedParents.isEmpty() && newParents.isEmpty()) {
            return;
        }
        updateEach(connection, "UPDATE job_request SET has_dependents = true WHERE id", List.copyOf(newParents));
        statuses.putAll(markParents(connection, List.copyOf(storedParents)));
        List<long[]> edges = new ArrayList<>();  // {depends_on, job_id, settled}
        boolean notify = false;
        int i = 0;
        while (i < rows.size()) {
            if (!rows.get(i).hasDependencies()) {
                i++;
                continue;
            }
            List<Integer> wave = new ArrayList<>();
            java.util.Set<Integer> inWave = new java.util.HashSet<>();
            for (; i < rows.size() && wave.size() < WAVE; i++) {
                NewJobRequest row = rows.get(i);
                if (!row.hasDependencies()) {
                    continue;
                }
                if (row.workflow().afterRows().stream().anyMatch(inWave::contains)) {
                    break;
                }
                wave.add(i);
                inWave.add(i);
            }
            List<Dependent> dependents = new ArrayList<>(wave.size());
            for (int index : wave) {
                NewJobRequest row = rows.get(index);
                LinkedHashSet<Long> after = new LinkedHashSet<>(row.workflow().after());
                for (int earlier : row.workflow().afterRows()) {
                    after.add(results[earlier].request().id());
                }
                dependents.add(Dependent.of(index, row, List.copyOf(after), statuses, isParent[index]));
            }
            for (Dependent dependent : dependents) {
                if (dependent.row.dedupKey() != null) {  // its key may be stored: the one-row path finds that request
                    results[dependent.index] = insertOne(connection, dependent);
                }
            }
            List<Dependent> plain = dependents.stream().filter(d -> d.row.dedupKey() == null).toList();
            for (int from = 0; from < plain.size(); from += INSERT_CHUNK) {
                List<Dependent> chunk = plain.subList(from, Math.min(plain.size(), from + INSERT_CHUNK));
                List<JobRequest> stored = insertChunk(connection, chunk);
                for (int k = 0; k < chunk.size(); k++) {
                    results[chunk.get(k).index] = new InsertResult(stored.get(k), InsertResult.Outcome.CREATED);
                }
            }
            for (Dependent dependent : dependents) {
                InsertResult result = results[dependent.index];
                JobRequest request = result.request();
                if (!result.created() && dependent.parent) {
                    statuses.putAll(markParents(connection, List.of(request.id())));  // a stored request others now wait for
                } else {
                    statuses.put(request.id(), request.status());
                }
                if (result.created()) {
                    notify |= request.status() == JobStatus.QUEUED && inserts.notifies(dependent.row);
                    for (Long dependency : dependent.after) {
                        edges.add(new long[] {dependency, request.id(), statuses.get(dependency).isFinished() ? 1 : 0});
                    }
                }
            }
        }
        insertEdges(connection, edges);
        if (notify) {
            inserts.notifyWorkers(connection);
        }
    }

    /** Dependents per wave, and rows per multi-row insert (19 values each, well under SQLite's limit). */
    private static final int WAVE = 5_000;
    private static final int INSERT_CHUNK = 200;

    /** A dependent about to be stored, with what its dependencies' statuses make of it. */
    private record Dependent(int index, NewJobRequest row, List<Long> after, JobStatus status, int waiting, int failed,
                             String cancelled, boolean parent) {

        static Dependent of(int index, NewJobRequest row, List<Long> after, Map<Long, JobStatus> statuses, boolean parent) {
            int waiting = 0;
            int failed = 0;
            for (Long dependency : after) {
                JobStatus status = statuses.get(dependency);
                if (!status.isFinished()) {
                    waiting++;
                } else if (status != JobStatus.SUCCEEDED) {
                    failed++;
                }
            }
            String cancelled = cancelReason(row.workflow().runWhen(), waiting, failed);
            JobStatus status = cancelled != null ? JobStatus.CANCELLED : waiting > 0 ? JobStatus.WAITING : JobStatus.QUEUED;
            return new Dependent(index, row, after, status, waiting, failed, cancelled, parent);
        }

        /** As stored: handed off at insert only when queued. */
        NewJobRequest stored() {
            return status == JobStatus.QUEUED ? row : row.withHandOff(row.handOffTarget(), false);
        }
    }

    /**
     * Marks the stored rows as having dependents, which locks them until the commit; returns their
     * statuses. A row that is not stored is named in the error, and nothing of the call is stored.
     */
    private Map<Long, JobStatus> markParents(Connection connection, List<Long> ids) throws SQLException {
        Map<Long, JobStatus> statuses = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
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
        if (statuses.size() != ids.size()) {
            List<Long> missing = ids.stream().filter(id -> !statuses.containsKey(id)).limit(10).toList();
            throw new IllegalArgumentException("A job cannot run after job requests " + missing + ": no such job request"
                    + " is stored (purged, or never dispatched). Name the ids of stored jobs");
        }
        return statuses;
    }

    /** One dependent with a dedup key: stored as any request with one is, then given its dependencies' state. */
    private InsertResult insertOne(Connection connection, Dependent dependent) throws SQLException {
        InsertResult inserted = inserts.insertOne(connection, dependent.stored());
        if (!inserted.created()) {
            return inserted;  // its dedup key was stored: that request is the answer, with its own dependencies
        }
        try (PreparedStatement update = connection.prepareStatement(store.sql.storeDependent())) {
            update.setString(1, dependent.status.dbValue());
            update.setInt(2, dependent.waiting);
            update.setInt(3, dependent.failed);
            update.setString(4, dependent.row.workflow().runWhen().dbValue());
            update.setString(5, dependent.cancelled);
            update.setString(6, dependent.cancelled);
            update.setBoolean(7, dependent.parent);
            update.setLong(8, inserted.request().id());
            try (ResultSet result = update.executeQuery()) {
                result.next();
                return new InsertResult(store.rows.read(result), inserted.outcome());
            }
        }
    }

    /** Dependents in one multi-row insert; returns the stored rows in the order given. */
    private List<JobRequest> insertChunk(Connection connection, List<Dependent> chunk) throws SQLException {
        List<JobRequest> stored = new ArrayList<>(chunk.size());
        try (PreparedStatement insert = connection.prepareStatement(store.sql.insertDependents(chunk.size()))) {
            int index = 1;
            for (Dependent dependent : chunk) {
                index = JdbiInserts.bindInsert(insert, index, dependent.stored());
                insert.setString(index++, dependent.status.dbValue());
                insert.setInt(index++, dependent.waiting);
                insert.setInt(index++, dependent.failed);
                insert.setString(index++, dependent.row.workflow().runWhen().dbValue());
                insert.setString(index++, dependent.cancelled);
                insert.setString(index++, dependent.cancelled);
                insert.setBoolean(index++, dependent.parent);
            }
            try (ResultSet result = insert.executeQuery()) {
                while (result.next()) {
                    stored.add(store.rows.read(result));
                }
            }
        }
        stored.sort(java.util.Comparator.comparingLong(JobRequest::id));  // ids are given in the order of the rows
        return stored;
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

    /** The edges {depends_on, job_id, settled (1 or 0)}: on PostgreSQL one insert from arrays, on SQLite multi-row inserts. */
    private void insertEdges(Connection connection, List<long[]> edges) throws SQLException {
        if (edges.isEmpty()) {
            return;
        }
        if (store.postgres()) {
            Long[] dependsOn = new Long[edges.size()];
            Long[] jobIds = new Long[edges.size()];
            Boolean[] settled = new Boolean[edges.size()];
            for (int i = 0; i < edges.size(); i++) {
                dependsOn[i] = edges.get(i)[0];
                jobIds[i] = edges.get(i)[1];
                settled[i] = edges.get(i)[2] == 1;
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO job_dependency (depends_on, job_id,"
                    + " settled) SELECT * FROM unnest(cast(? AS bigint[]), cast(? AS bigint[]), cast(? AS boolean[]))")) {
                insert.setArray(1, connection.createArrayOf("int8", dependsOn));
                insert.setArray(2, connection.createArrayOf("int8", jobIds));
                insert.setArray(3, connection.createArrayOf("bool", settled));
                insert.executeUpdate();
            }
            return;
        }
        for (int from = 0; from < edges.size(); from += CHUNK) {
            List<long[]> chunk = edges.subList(from, Math.min(edges.size(), from + CHUNK));
            String values = String.join(", ", java.util.Collections.nCopies(chunk.size(), "(?, ?, ?)"));
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO job_dependency (depends_on, job_id, settled) VALUES " + values)) {
                int index = 1;
                for (long[] edge : chunk) {
                    insert.setLong(index++, edge[0]);
                    insert.setLong(index++, edge[1]);
                    insert.setBoolean(index++, edge[2] == 1);
                }
                insert.executeUpdate();
            }
        }
    }

    /**
     * Runs {@code update}, which ends with {@code … id}, for the ids: on PostgreSQL once with
     * {@code = ANY} of an array, on SQLite per chunk with {@code IN}. Returns the rows updated.
     */
    private int updateEach(Connection connection, String update, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        if (store.postgres()) {
            try (PreparedStatement statement = connection.prepareStatement(update + " = ANY(cast(? AS bigint[]))")) {
                statement.setArray(1, connection.createArrayOf("int8", ids.toArray(Long[]::new)));
                return statement.executeUpdate();
            }
        }
        int updated = 0;
        for (List<Long> chunk : chunks(ids)) {
            try (PreparedStatement statement = connection.prepareStatement(update + " IN " + placeholders(chunk.size()))) {
                bind(statement, 1, chunk);
                updated += statement.executeUpdate();
            }
        }
        return updated;
    }

    /**
     * Settles the dependents of the finished jobs, in one transaction: each counts their finish once;
     * those whose last dependency finished are queued, those whose condition can no longer hold are
     * cancelled and their own dependents settled in turn. Tells the release watchers of the queued ones.
     */
    void settle(Map<Long, Boolean> finished) {
        if (finished.isEmpty()) {
            return;
        }
        long ticket;
        synchronized (settling) {
            pendingSettle.putAll(finished);
            ticket = ++settleRequested;
        }
        // Group settling: whichever caller finds no settle in progress settles what every caller queued,
        // in one statement; the others wait until their finishes are settled (a batch's members finishing
        // together then cost one update of the callback's row, not one each).
        while (true) {
            Map<Long, Boolean> batch;
            long upTo;
            synchronized (settling) {
                if (settleDone >= ticket) {
                    return;
                }
                if (settling.get()) {
                    try {
                        settling.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;  // the recovery pass settles what is left
                    }
                    continue;
                }
                settling.set(true);
                batch = new java.util.LinkedHashMap<>(pendingSettle);
                pendingSettle.clear();
                upTo = settleRequested;
            }
            try {
                settleNow(batch);
            } catch (RuntimeException e) {
                // the finishes are stored: what is not settled now, the recovery pass settles (settleMissed)
                log.warn("Settling the dependents of job requests {} failed; the recovery pass settles them: {}",
                        batch.keySet(), e.toString());
            } finally {
                synchronized (settling) {
                    settling.set(false);
                    settleDone = upTo;
                    settling.notifyAll();
                }
            }
        }
    }

    /** Settles the finishes now, on this thread, and tells the watchers what it released. */
    private void settleNow(Map<Long, Boolean> finished) {
        // PostgreSQL: one statement per step, each atomic (a step cut short is the recovery pass's);
        // SQLite: both statements of a step in one transaction.
        List<JobRequest> released = store.call("settle the dependents of job requests " + finished.keySet(), () ->
                store.postgres() ? store.jdbi.withHandle(h -> settle(h, finished)) : store.jdbi.inTransaction(h -> settle(h, finished)));
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

    /** Settles step by step until no cancellation is left to pass on; returns the dependents it queued. */
    private List<JobRequest> settle(org.jdbi.v3.core.Handle h, Map<Long, Boolean> finished) {
        List<JobRequest> queued = new ArrayList<>();
        Map<Long, Boolean> frontier = finished;
        while (!frontier.isEmpty()) {
            Map<Long, Boolean> next = new java.util.LinkedHashMap<>();
            for (List<Long> chunk : chunks(List.copyOf(frontier.keySet()))) {
                Map<Long, Boolean> of = frontier;
                List<Long> failed = chunk.stream().filter(of::get).toList();
                org.jdbi.v3.core.statement.Query settle = h.createQuery(store.sql.settle(chunk.size(), failed.size()));
                settle = store.postgres() ? settle.bindArray("ids", Long.class, chunk).bindArray("failed", Long.class, failed)
                        : StoreAccess.bindEach(StoreAccess.bindEach(settle, "id", chunk), "failed", failed);
                settle.map((rs, ctx) -> read(rs, next)).list().stream()
                        .filter(r -> r.status() == JobStatus.QUEUED).forEach(queued::add);
                if (!store.postgres()) {
                    StoreAccess.bindEach(h.createUpdate(store.sql.markSettled(chunk.size())), "id", chunk).execute();
                }
            }
            frontier = next;
        }
        return queued;
    }

    /**
     * Settles finished jobs whose dependents have not counted them yet (their process died between
     * the finish and its settling); returns how many finished jobs it settled.
     */
    int settleMissed() {
        Map<Long, Boolean> missed = new java.util.LinkedHashMap<>();
        store.call("look for unsettled dependencies", () -> store.jdbi.withHandle(h -> h.createQuery(
                "SELECT DISTINCT d.depends_on, p.status FROM job_dependency d JOIN job_request p ON p.id = d.depends_on"
                        + " WHERE NOT d.settled AND p.status IN " + StoreStatements.FINISHED + " LIMIT " + CHUNK)
                .map((rs, ctx) -> missed.put(rs.getLong(1), !JobStatus.SUCCEEDED.dbValue().equals(rs.getString(2))))
                .list()));
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
