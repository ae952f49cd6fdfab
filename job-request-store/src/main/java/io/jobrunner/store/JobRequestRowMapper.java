package io.jobrunner.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Reads a {@code job_request} row of either dialect. Immutable. */
final class JobRequestRowMapper implements RowMapper<JobRequest> {

    private static final ObjectMapper MAPPER = PayloadCodec.defaultCodec().mapper();

    private final SqlDialect dialect;

    JobRequestRowMapper(SqlDialect dialect) {
        this.dialect = dialect;
    }

    /** The columns a request is read from, in the order {@link #readFields} reads them. */
    private static final String[] COLUMNS = {"id", "job_type", "queue_name", "payload", "status", "progress",
            "result_message", "result", "last_error", "attempts", "max_attempts", "dedup_key", "run_at", "locked_by",
            "locked_until", "runner", "cancel_requested", "handed_off_at", "hand_off_target", "created_at", "updated_at",
            "started_at", "finished_at", "attempt_started_at", "attempt_history", "trace_parent", "priority",
            "concurrency_key", "waiting_on", "run_when", "batch_id"};

    @Override
    public JobRequest map(ResultSet rs, StatementContext ctx) throws SQLException {
        return read(rs);
    }

    /** For the rows of one result: the columns are looked up once, not by name in every row. */
    @Override
    public RowMapper<JobRequest> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
        int[] at = positions(rs);
        return (row, context) -> read(row, at);
    }

    /** Where each column a request is read from is in {@code rs}'s rows, for {@link #read(ResultSet, int[])}. */
    int[] positions(ResultSet rs) throws SQLException {
        int[] at = new int[COLUMNS.length];
        for (int i = 0; i < COLUMNS.length; i++) {
            at[i] = rs.findColumn(COLUMNS[i]);
        }
        return at;
    }

    /** The row as a request; a value that cannot be read fails naming the row ({@link UnreadableRowException}). */
    JobRequest read(ResultSet rs) throws SQLException {
        return read(rs, positions(rs));
    }

    /** {@link #read(ResultSet)} with the columns at the {@link #positions} of its result. */
    JobRequest read(ResultSet rs, int[] at) throws SQLException {
        long id = rs.getLong(at[0]);
        try {
            return readFields(id, rs, at);
        } catch (SQLException | RuntimeException e) {
            // the row is fetched: what fails now is one of its values (or the file's bytes under it)
            throw new UnreadableRowException("job_request", Long.toString(id), e);
        }
    }

    private JobRequest readFields(long id, ResultSet rs, int[] at) throws SQLException {
        return new JobRequest(
                id,
                rs.getString(at[1]),
                rs.getString(at[2]),
                rs.getString(at[3]),
                JobStatus.fromDbValue(rs.getString(at[4])),
                rs.getInt(at[5]),
                rs.getString(at[6]),
                rs.getString(at[7]),
                rs.getString(at[8]),
                rs.getInt(at[9]),
                rs.getInt(at[10]),
                rs.getString(at[11]),
                dialect.instant(rs, at[12]),
                rs.getString(at[13]),
                dialect.instant(rs, at[14]),
                rs.getString(at[15]),
                rs.getBoolean(at[16]),
                dialect.instant(rs, at[17]),
                rs.getString(at[18]),
                dialect.instant(rs, at[19]),
                dialect.instant(rs, at[20]),
                dialect.instant(rs, at[21]),
                dialect.instant(rs, at[22]),
                dialect.instant(rs, at[23]),
                history(rs.getString(at[24])),
                rs.getString(at[25]),
                rs.getInt(at[26]),
                rs.getString(at[27]),
                rs.getInt(at[28]),
                runWhen(rs.getString(at[29])),
                batchId(rs, at[30]));
    }

    private static io.jobrunner.RunWhen runWhen(String stored) {
        return stored == null ? null : io.jobrunner.RunWhen.fromDbValue(stored);
    }

    private static Long batchId(ResultSet rs, int column) throws SQLException {
        long batch = rs.getLong(column);
        return rs.wasNull() ? null : batch;
    }

    /** The {@code attempt_history} JSON array: epoch milliseconds for times, lower-case outcomes. */
    static List<JobAttempt> history(String json) throws SQLException {
        if (json == null || json.equals("[]")) {
            return List.of();
        }
        try {
            List<JobAttempt> attempts = new ArrayList<>();
            for (JsonNode entry : MAPPER.readTree(json)) {
                attempts.add(new JobAttempt(entry.path("attempt").asInt(), text(entry, "worker"),
                        millis(entry, "startedAt"), millis(entry, "finishedAt"),
                        JobAttempt.Outcome.fromDbValue(entry.path("outcome").asText()), text(entry, "error")));
            }
            return attempts;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new SQLException("Unreadable attempt_history: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant millis(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : Instant.ofEpochMilli(value.asLong());
    }

    Instant instant(ResultSet rs, String column) throws SQLException {
        return dialect.instant(rs, column);
    }
}
