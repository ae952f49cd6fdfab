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

    @Override
    public JobRequest map(ResultSet rs, StatementContext ctx) throws SQLException {
        return read(rs);
    }

    /** The row as a request; a value that cannot be read fails naming the row ({@link UnreadableRowException}). */
    JobRequest read(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        try {
            return readFields(id, rs);
        } catch (SQLException | RuntimeException e) {
            // the row is fetched: what fails now is one of its values (or the file's bytes under it)
            throw new UnreadableRowException("job_request", Long.toString(id), e);
        }
    }

    private JobRequest readFields(long id, ResultSet rs) throws SQLException {
        return new JobRequest(
                id,
                rs.getString("job_type"),
                rs.getString("queue_name"),
                rs.getString("payload"),
                JobStatus.fromDbValue(rs.getString("status")),
                rs.getInt("progress"),
                rs.getString("result_message"),
                rs.getString("result"),
                rs.getString("last_error"),
                rs.getInt("attempts"),
                rs.getInt("max_attempts"),
                rs.getString("dedup_key"),
                instant(rs, "run_at"),
                rs.getString("locked_by"),
                instant(rs, "locked_until"),
                rs.getString("runner"),
                rs.getBoolean("cancel_requested"),
                instant(rs, "handed_off_at"),
                rs.getString("hand_off_target"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "attempt_started_at"),
                history(rs.getString("attempt_history")),
                rs.getString("trace_parent"),
                rs.getInt("priority"),
                rs.getString("concurrency_key"),
                rs.getInt("waiting_on"),
                runWhen(rs.getString("run_when")),
                batchId(rs));
    }

    private static io.jobrunner.RunWhen runWhen(String stored) {
        return stored == null ? null : io.jobrunner.RunWhen.fromDbValue(stored);
    }

    private static Long batchId(ResultSet rs) throws SQLException {
        long batch = rs.getLong("batch_id");
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
