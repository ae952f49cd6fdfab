package io.jobrunner.store;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.NewJobRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Storing new requests: one row, many rows, and one row in the caller's transaction, each with the
 * dedup rule (a stored key is returned, or queued again when it failed or was cancelled). Plain
 * JDBC on the pool rather than a JDBI handle: insert is the hot path of every dispatch, and a
 * handle's per-use setup cost more CPU than the statement itself (see ARCHITECTURE.md). Thread-safe.
 */
final class JdbiInserts {

    /** Rows per bulk insert statement (on SQLite 10 parameters each, well under its limit). */
    private static final int INSERT_CHUNK = 1_000;
    private static final String TABLE = "job_request";

    private final StoreAccess store;
    private volatile String schema;
    private volatile String qualifiedTable;

    JdbiInserts(StoreAccess store) {
        this.store = store;
    }

    InsertResult insert(NewJobRequest request) {
        try (Connection connection = store.dataSource.getConnection()) {
            return insert(connection, request, TABLE);
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    /**
     * A request due now with no dedup key, stored already claimed by {@code owner} in one statement;
     * any other is inserted as by {@link #insert(NewJobRequest)}, unclaimed.
     */
    InsertResult insertClaimed(NewJobRequest request, String owner, Duration leaseTime) {
        if (request.dedupKey() != null || request.runAt() != null || request.handOffTarget() != null
                || notifies(request)) {
            return insert(request);
        }
        try (Connection connection = store.dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(store.sql.insertClaimed())) {
            statement.setString(1, request.jobType());
            statement.setString(2, request.queueName());
            statement.setString(3, request.payloadJson());
            statement.setInt(4, request.maxAttempts());
            statement.setString(5, request.runner());
            statement.setString(6, owner);
            statement.setLong(7, leaseTime.toMillis());
            statement.setString(8, request.traceParent());
            statement.setInt(9, request.priority());
            statement.setString(10, request.concurrencyKey());
            statement.setString(11, request.jobType());
            statement.setString(12, request.queueName());
            statement.setString(13, request.jobType());
            try (ResultSet result = statement.executeQuery()) {
                if (result.next()) {
                    return new InsertResult(store.rows.read(result), InsertResult.Outcome.CREATED);
                }
            }
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
        return insert(request);  // paused or limited: stored queued, for a claim that checks
    }

    /**
     * One multi-row {@code INSERT … RETURNING} per chunk of {@value #INSERT_CHUNK} rows, all in one
     * transaction. Rows whose dedup key was already stored (or repeats within the list) come back
     * without a row and go through the one-row path on the same connection, which finds or requeues
     * the stored request.
     */
    List<InsertResult> insertAll(List<NewJobRequest> requests) {
        if (requests.size() <= 1) {
            return requests.isEmpty() ? List.of() : List.of(insert(requests.get(0)));
        }
        try (Connection connection = store.dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                List<InsertResult> results = insertAll(connection, requests);
                connection.commit();
                return results;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("Could not insert " + requests.size() + " job requests (none was stored): "
                    + e.getMessage(), e);
        }
    }

    /** {@link #insertAll(List)}'s statements on {@code connection}, in the caller's transaction. */
    List<InsertResult> insertAll(Connection connection, List<NewJobRequest> requests) throws SQLException {
        List<InsertResult> results = new ArrayList<>(requests.size());
        for (int start = 0; start < requests.size(); start += INSERT_CHUNK) {
            results.addAll(insertChunk(connection, requests.subList(start, Math.min(requests.size(), start + INSERT_CHUNK))));
        }
        if (requests.stream().anyMatch(this::notifies)) {
            notifyWorkers(connection);
        }
        return results;
    }

    /** Tells listening workers, at the commit of {@code connection}'s transaction, that requests are queued. */
    void notifyWorkers(Connection connection) throws SQLException {
        try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, '')")) {
            notify.setString(1, notifyChannel());
            notify.execute();
        }
    }

    /** One row on {@code connection}, in the caller's transaction, as {@link #insert(NewJobRequest)} stores it. */
    InsertResult insertOne(Connection connection, NewJobRequest request) throws SQLException {
        return insert(connection, request, TABLE);
    }

    /**
     * In the caller's transaction every statement goes through the caller's connection, so a dedup
     * key dispatched twice in one transaction finds its own uncommitted row; the table is named with
     * the store's schema, whatever the connection's search path.
     */
    InsertResult insertInTransaction(Connection connection, NewJobRequest request) {
        try {
            return insert(connection, request, qualifiedTable());
        } catch (SQLException e) {
            throw insertFailed(request, e);
        }
    }

    /** Inserts one row on {@code connection}, no notification; empty when its dedup key was stored. */
    Optional<JobRequest> insertRow(Connection connection, NewJobRequest request) throws SQLException {
        return insertRow(connection, store.sql.insert(TABLE, request.dedupKey() != null, false), request, null);
    }

    private List<InsertResult> insertChunk(Connection connection, List<NewJobRequest> chunk) throws SQLException {
        List<Inserted> inserted = new ArrayList<>(chunk.size());
        boolean unnest = store.postgres();
        try (PreparedStatement statement = connection.prepareStatement(unnest ? store.sql.insertUnnest
                : store.sql.insertRows(chunk.size()))) {
            if (unnest) {
                bindArrays(connection, statement, chunk);
            } else {
                int index = 1;
                for (NewJobRequest request : chunk) {
                    index = bindInsert(statement, index, request);
                }
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    inserted.add(inserted(result));
                }
            }
        }
        // Ids are drawn in the order of the VALUES, so the rows returned, by id, follow the requests
        // that were inserted; a request whose key was taken has no row and is matched by the one-row path.
        inserted.sort(Comparator.comparingLong(Inserted::id));
        List<InsertResult> results = new ArrayList<>(chunk.size());
        int next = 0;
        for (NewJobRequest request : chunk) {
            Inserted row = next < inserted.size() ? inserted.get(next) : null;
            if (row != null && Objects.equals(row.dedupKey(), request.dedupKey()) && row.jobType().equals(request.jobType())) {
                results.add(new InsertResult(row.request(request), InsertResult.Outcome.CREATED));
                next++;
            } else {
                results.add(insert(connection, request, TABLE));
            }
        }
        return results;
    }

    private InsertResult insert(Connection connection, NewJobRequest request, String table) throws SQLException {
        String channel = notifies(request) ? notifyChannel() : null;
        String insert = store.sql.insert(table, request.dedupKey() != null, channel != null);
        for (int round = 0; round < 3; round++) {
            Optional<JobRequest> created = insertRow(connection, insert, request, channel);
            if (created.isPresent()) {
                return new InsertResult(created.get(), InsertResult.Outcome.CREATED);
            }
            Optional<JobRequest> existing = queryOne(connection, "SELECT * FROM " + table + " WHERE dedup_key = ?",
                    request.dedupKey());
            if (existing.isPresent()) {
                JobStatus status = existing.get().status();
                if (status == JobStatus.FAILED || status == JobStatus.CANCELLED) {
                    Optional<JobRequest> requeued = queryOne(connection, store.sql.retry(table), existing.get().id());
                    if (requeued.isPresent()) {
                        return new InsertResult(requeued.get(), InsertResult.Outcome.REQUEUED);
                    }
                    continue;
                }
                return new InsertResult(existing.get(), InsertResult.Outcome.EXISTING);
            }
        }
        throw new JobStoreException("Could not insert or find the job request with dedup key '"
                + request.dedupKey() + "': it kept being removed concurrently");
    }

    /** @param channel the channel {@code insertSql} notifies as its last parameter, or {@code null} */
    private Optional<JobRequest> insertRow(Connection connection, String insertSql, NewJobRequest request, String channel)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
            int next = bindInsert(statement, 1, request);
            if (channel != null) {
                statement.setString(next, channel);
            }
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.of(inserted(result).request(request, result.getString("payload")))
                        : Optional.empty();
            }
        }
    }

    /** What an insert read back of one new row; the rest is what was inserted. */
    private record Inserted(long id, String dedupKey, String jobType, Instant runAt, Instant createdAt,
                            Instant handedOffAt) {
        JobRequest request(NewJobRequest inserted) {
            return request(inserted, inserted.payloadJson());
        }

        /** @param storedPayload the payload as read back, which the database may have normalised */
        JobRequest request(NewJobRequest inserted, String storedPayload) {
            return new JobRequest(id, inserted.jobType(), inserted.queueName(), storedPayload, JobStatus.QUEUED,
                    0, null, null, null, 0, inserted.maxAttempts(), dedupKey, runAt, null, null, inserted.runner(), false,
                    handedOffAt, inserted.handOffTarget(), createdAt, createdAt, null, null, null, List.of(),
                    inserted.traceParent(), inserted.priority(), inserted.concurrencyKey(), 0, null, null);
        }
    }

    /** The columns of {@link StoreStatements#INSERTED_COLUMNS} at the result's current row. */
    private Inserted inserted(ResultSet result) throws SQLException {
        JobRequestRowMapper rows = store.rows;
        return new Inserted(result.getLong("id"), result.getString("dedup_key"), result.getString("job_type"),
                rows.instant(result, "run_at"), rows.instant(result, "created_at"), rows.instant(result, "handed_off_at"));
    }

    /** Binds the rows as the twelve arrays of {@link StoreStatements#insertUnnest}. */
    private static void bindArrays(Connection connection, PreparedStatement statement, List<NewJobRequest> chunk)
            throws SQLException {
        int n = chunk.size();
        String[] types = new String[n];
        String[] queues = new String[n];
        String[] payloads = new String[n];
        String[] keys = new String[n];
        Long[] runAts = new Long[n];
        Integer[] attempts = new Integer[n];
        String[] runners = new String[n];
        String[] targets = new String[n];
        Boolean[] handedOff = new Boolean[n];
        String[] traceParents = new String[n];
        Integer[] priorities = new Integer[n];
        String[] concurrencyKeys = new String[n];
        for (int i = 0; i < n; i++) {
            NewJobRequest request = chunk.get(i);
            types[i] = request.jobType();
            queues[i] = request.queueName();
            payloads[i] = request.payloadJson();
            keys[i] = request.dedupKey();
            runAts[i] = request.runAt() == null ? null : request.runAt().toEpochMilli();
            attempts[i] = request.maxAttempts();
            runners[i] = request.runner();
            targets[i] = request.handOffTarget();
            handedOff[i] = request.handedOff();
            traceParents[i] = request.traceParent();
            priorities[i] = request.priority();
            concurrencyKeys[i] = request.concurrencyKey();
        }
        statement.setArray(1, connection.createArrayOf("text", types));
        statement.setArray(2, connection.createArrayOf("text", queues));
        statement.setArray(3, connection.createArrayOf("text", payloads));
        statement.setArray(4, connection.createArrayOf("text", keys));
        statement.setArray(5, connection.createArrayOf("int8", runAts));
        statement.setArray(6, connection.createArrayOf("int4", attempts));
        statement.setArray(7, connection.createArrayOf("text", runners));
        statement.setArray(8, connection.createArrayOf("text", targets));
        statement.setArray(9, connection.createArrayOf("bool", handedOff));
        statement.setArray(10, connection.createArrayOf("text", traceParents));
        statement.setArray(11, connection.createArrayOf("int4", priorities));
        statement.setArray(12, connection.createArrayOf("text", concurrencyKeys));
    }

    /** Binds one row's twelve insert parameters from {@code index}; returns the index after them. */
    static int bindInsert(PreparedStatement statement, int index, NewJobRequest request) throws SQLException {
        statement.setString(index, request.jobType());
        statement.setString(index + 1, request.queueName());
        statement.setString(index + 2, request.payloadJson());
        statement.setString(index + 3, request.dedupKey());
        if (request.runAt() == null) {
            statement.setNull(index + 4, Types.BIGINT);
        } else {
            statement.setLong(index + 4, request.runAt().toEpochMilli());
        }
        statement.setInt(index + 5, request.maxAttempts());
        statement.setString(index + 6, request.runner());
        statement.setString(index + 7, request.handOffTarget());
        statement.setBoolean(index + 8, request.handedOff());
        statement.setString(index + 9, request.traceParent());
        statement.setInt(index + 10, request.priority());
        statement.setString(index + 11, request.concurrencyKey());
        return index + 12;
    }

    private Optional<JobRequest> queryOne(Connection connection, String statementSql, Object parameter)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
            statement.setObject(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.of(store.rows.read(result)) : Optional.empty();
            }
        }
    }

    /** {@code "schema".job_request} for the schema this store's own connections use. */
    private String qualifiedTable() {
        String table = qualifiedTable;
        if (table == null) {
            table = qualifiedTable = "\"" + schema().replace("\"", "\"\"") + "\"." + TABLE;
        }
        return table;
    }

    /** The schema this store's own connections use; read once. */
    private String schema() {
        String current = schema;
        if (current == null) {
            current = schema = store.call("read the store's schema", () -> store.jdbi.withHandle(h -> h.createQuery(
                    "SELECT current_schema()").mapTo(String.class).one()));
        }
        return current;
    }

    /**
     * True for a request listening workers claim ({@link NewJobRequest#wakesWorkers()}): on PostgreSQL
     * its insert notifies them (the channel {@link QueuedListener} listens on), in the same statement,
     * so no other dispatch pays.
     */
    boolean notifies(NewJobRequest request) {
        return store.postgres() && request.wakesWorkers();
    }

    /** Where listening workers of this schema wait; the update trigger of migration V1 uses the same. */
    private String notifyChannel() {
        return "jobrunner_" + schema();
    }

    static JobStoreException insertFailed(NewJobRequest request, SQLException e) {
        return new JobStoreException("Could not insert a " + request.jobType() + " job request: " + e.getMessage(), e);
    }
}
