package io.jobrunner.store;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Reads a {@code job_request} row. Stateless. */
final class JobRequestRowMapper implements RowMapper<JobRequest> {

    static final JobRequestRowMapper INSTANCE = new JobRequestRowMapper();

    @Override
    public JobRequest map(ResultSet rs, StatementContext ctx) throws SQLException {
        return read(rs);
    }

    static JobRequest read(ResultSet rs) throws SQLException {
        return new JobRequest(
                rs.getLong("id"),
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
                instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }
}
