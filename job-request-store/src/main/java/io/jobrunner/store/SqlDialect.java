package io.jobrunner.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Where PostgreSQL and SQLite differ, and nothing else: the store's statements are written once
 * ({@link StoreStatements}) and ask the dialect only for these expressions. PostgreSQL keeps times
 * as {@code timestamptz} and JSON as {@code jsonb}; SQLite keeps times as epoch milliseconds in an
 * {@code INTEGER} and JSON as text. Stateless.
 */
enum SqlDialect {

    POSTGRESQL("postgresql") {
        @Override
        String now() {
            return "now()";
        }

        @Override
        String nowPlusMillis(String millisSql) {
            return "now() + " + millisSql + " * interval '1 millisecond'";
        }

        @Override
        String nowMinusMillis(String millisSql) {
            return "now() - " + millisSql + " * interval '1 millisecond'";
        }

        @Override
        String fromEpochMillis(String millisSql) {
            return "to_timestamp(cast(" + millisSql + " AS bigint) / 1000.0)";
        }

        @Override
        String toEpochMillis(String timeSql) {
            return "cast(floor(extract(epoch FROM " + timeSql + ") * 1000) AS bigint)";
        }

        @Override
        String json(String textSql) {
            return "cast(" + textSql + " AS jsonb)";
        }

        @Override
        String jsonObject(String pairsSql) {
            return "jsonb_build_object(" + pairsSql + ")";
        }

        @Override
        String appendToJsonArray(String arraySql, String elementSql) {
            return arraySql + " || jsonb_build_array(" + elementSql + ")";
        }

        @Override
        String forUpdate() {
            return " FOR UPDATE";
        }

        @Override
        String forUpdateSkipLocked() {
            return " FOR UPDATE SKIP LOCKED";
        }

        /** The migration's function: it locks each type for the transaction, then counts with snapshots of its own. */
        @Override
        String freePlaces() {
            return "SELECT p.limit_type, p.limit_key, p.free FROM (SELECT array_agg(job_type ORDER BY id) AS t,"
                    + " array_agg(concurrency_key ORDER BY id) AS k FROM limited) AS a, jobrunner_free_places(a.t, a.k) AS p";
        }

        @Override
        String isNotDistinctFrom() {
            return " IS NOT DISTINCT FROM ";
        }

        @Override
        String firstChars(String column, int chars) {
            return "left(" + column + "::text, " + chars + ")";
        }

        @Override
        Instant instant(ResultSet rs, int column) throws SQLException {
            String text = rs.getString(column);
            if (text == null) {
                return null;
            }
            Instant read = PostgresTimestamps.parse(text);
            return read != null ? read : rs.getObject(column, java.time.OffsetDateTime.class).toInstant();
        }
    },

    /**
     * SQLite serializes writers: every write statement takes the database's write lock before it
     * reads, and transactions begin {@code IMMEDIATE}, so row locks are not needed for exclusive claims.
     */
    SQLITE("sqlite") {
        private static final String NOW = "cast(unixepoch('subsec') * 1000 AS integer)";

        @Override
        String now() {
            return NOW;
        }

        @Override
        String nowPlusMillis(String millisSql) {
            return "(" + NOW + " + " + millisSql + ")";
        }

        @Override
        String nowMinusMillis(String millisSql) {
            return "(" + NOW + " - " + millisSql + ")";
        }

        @Override
        String fromEpochMillis(String millisSql) {
            return "cast(" + millisSql + " AS integer)";
        }

        @Override
        String toEpochMillis(String timeSql) {
            return timeSql;
        }

        @Override
        String json(String textSql) {
            return textSql;
        }

        @Override
        String jsonObject(String pairsSql) {
            return "json_object(" + pairsSql + ")";
        }

        @Override
        String appendToJsonArray(String arraySql, String elementSql) {
            return "json_insert(" + arraySql + ", '$[#]', " + elementSql + ")";
        }

        @Override
        String forUpdate() {
            return "";
        }

        @Override
        String forUpdateSkipLocked() {
            return "";
        }

        /** SQLite runs one writer at a time: the statement's own counts are exact. */
        @Override
        String freePlaces() {
            return "SELECT l.job_type AS limit_type, NULL AS limit_key, l.max_running - (SELECT count(*) FROM job_request r"
                    + " WHERE r.status = 'running' AND r.job_type = l.job_type) AS free FROM job_limit l"
                    + " WHERE l.max_running IS NOT NULL AND l.job_type IN (SELECT job_type FROM limited)"
                    + " UNION ALL SELECT d.job_type, d.concurrency_key, l.max_running_per_key - (SELECT count(*)"
                    + " FROM job_request r WHERE r.status = 'running' AND r.job_type = d.job_type"
                    + " AND r.concurrency_key = d.concurrency_key) FROM (SELECT DISTINCT job_type, concurrency_key"
                    + " FROM limited WHERE concurrency_key IS NOT NULL) AS d JOIN job_limit l ON l.job_type = d.job_type"
                    + " WHERE l.max_running_per_key IS NOT NULL"
                    + " UNION ALL SELECT l.job_type, NULL, l.rate_limit - (SELECT count(*) FROM job_start s WHERE s.job_type"
                    + " = l.job_type AND s.limit_key IS NULL AND s.started_at > " + NOW + " - l.rate_period_ms) FROM job_limit l"
                    + " WHERE l.rate_limit IS NOT NULL AND l.job_type IN (SELECT job_type FROM limited)"
                    + " UNION ALL SELECT d.job_type, d.concurrency_key, l.rate_limit_per_key - (SELECT count(*) FROM job_start s"
                    + " WHERE s.job_type = d.job_type AND s.limit_key = d.concurrency_key AND s.started_at > " + NOW
                    + " - l.rate_period_per_key_ms) FROM (SELECT DISTINCT job_type, concurrency_key FROM limited"
                    + " WHERE concurrency_key IS NOT NULL) AS d JOIN job_limit l ON l.job_type = d.job_type"
                    + " WHERE l.rate_limit_per_key IS NOT NULL";
        }

        @Override
        String isNotDistinctFrom() {
            return " IS ";
        }

        @Override
        String firstChars(String column, int chars) {
            return "substr(" + column + ", 1, " + chars + ")";
        }

        @Override
        Instant instant(ResultSet rs, int column) throws SQLException {
            long millis = rs.getLong(column);
            return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
        }
    };

    private final String migrationsFolder;

    SqlDialect(String migrationsFolder) {
        this.migrationsFolder = migrationsFolder;
    }

    /** The folder of this dialect's schema migrations under {@code io/jobrunner/store/migrations/}. */
    String migrationsFolder() {
        return migrationsFolder;
    }

    /** The database's current time, as a column value. */
    abstract String now();

    abstract String nowPlusMillis(String millisSql);

    abstract String nowMinusMillis(String millisSql);

    /** A time column value from epoch milliseconds (a bound parameter). */
    abstract String fromEpochMillis(String millisSql);

    /** Epoch milliseconds of a time column value. */
    abstract String toEpochMillis(String timeSql);

    /** A JSON column value from JSON text (a bound parameter). */
    abstract String json(String textSql);

    /** A JSON object from alternating key and value expressions. */
    abstract String jsonObject(String pairsSql);

    /** The JSON array with one more element at its end. */
    abstract String appendToJsonArray(String arraySql, String elementSql);

    /** Locks selected rows until the transaction ends (empty where the transaction already holds the write lock). */
    abstract String forUpdate();

    /** Locks selected rows, passing over rows other transactions hold. */
    abstract String forUpdateSkipLocked();

    /**
     * A query of {@code (limit_type, limit_key, free)} over the claim's CTE {@code limited}: for each
     * limited type among its candidates, how many more may start ({@code limit_key} null), and for each
     * of their keys under a per-key limit, how many more of that key may. Exact however many claims
     * run at once.
     */
    abstract String freePlaces();

    /** Equality that holds for two nulls. */
    abstract String isNotDistinctFrom();

    /** The first {@code chars} characters of a text or JSON column, as text. */
    abstract String firstChars(String column, int chars);

    /** A time column as an instant, or {@code null}. */
    abstract Instant instant(ResultSet rs, int column) throws SQLException;

    /** {@link #instant(ResultSet, int)} of the column so named. */
    Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs, rs.findColumn(column));
    }
}
