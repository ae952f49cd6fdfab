package io.jobrunner.store;

import static io.jobrunner.store.StoreAccess.bindEach;
import static io.jobrunner.store.StoreAccess.planned;

import io.jobrunner.JobCounts;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobThroughput;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** Reads of requests — by id, by key, pages, counts, finished per minute — and their logs. Thread-safe. */
final class JdbiQueries {

    /** The columns a preview cuts: the ones an application fills, of any size. */
    private static final Set<String> CUT_IN_PREVIEWS = Set.of("payload", "result", "result_message", "last_error");

    private final StoreAccess store;
    private final SqlDialect dialect;

    JdbiQueries(StoreAccess store) {
        this.store = store;
        this.dialect = store.sql.dialect;
    }

    Optional<JobRequest> find(long id) {
        return store.call("find job request " + id, () -> store.jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM job_request WHERE id = :id")
                .bind("id", id).mapTo(JobRequest.class).findOne()));
    }

    Optional<JobRequest> findByDedupKey(String dedupKey) {
        return store.call("find the job request with dedup key '" + dedupKey + "'", () -> store.jdbi.withHandle(h ->
                h.createQuery("SELECT * FROM job_request WHERE dedup_key = :key")
                        .bind("key", dedupKey).mapTo(JobRequest.class).findOne()));
    }

    List<JobRequest> list(JobQuery query) {
        String columns = columns(query.previewChars());
        String select = query.descending()
                ? "SELECT " + columns + " FROM job_request WHERE (:afterId = 0 OR id < :afterId)" + matching(query)
                        + " ORDER BY id DESC LIMIT :limit"
                : "SELECT " + columns + " FROM job_request WHERE id > :afterId" + matching(query)
                        + " ORDER BY id LIMIT :limit";
        return store.call("list job requests", () -> store.jdbi.withHandle(h ->
                bindMatching(planned(h.createQuery(select)), query)
                        .bind("afterId", query.afterId())
                        .bind("limit", query.limit())
                        .mapTo(JobRequest.class).list()));
    }

    /** Counts every request the query's filters match; its page (after id, limit) is ignored. */
    long count(JobQuery query) {
        String select = "SELECT count(*) FROM job_request WHERE 1 = 1" + matching(query);
        return store.call("count job requests", () -> store.jdbi.withHandle(h ->
                bindMatching(planned(h.createQuery(select)), query).mapTo(Long.class).one()));
    }

    JobCounts counts() {
        return store.call("count job requests", () -> store.jdbi.withHandle(h -> JobCounts.fromRows(h.createQuery(
                        "SELECT job_type, status, COUNT(*) AS n FROM job_request GROUP BY job_type, status")
                .map((rs, ctx) -> new JobCounts.Row(rs.getString("job_type"), JobStatus.fromDbValue(rs.getString("status")),
                        rs.getLong("n")))
                .list())));
    }

    /** One {@code GROUP BY} over the finished-at index: minutes as epoch milliseconds divided by 60,000. */
    List<JobThroughput> finishedPerMinute(Instant since) {
        String minute = dialect.toEpochMillis("finished_at") + " / 60000";
        return store.call("count finished job requests per minute", () -> store.jdbi.withHandle(h -> {
            Map<Long, long[]> counts = new TreeMap<>();
            planned(h.createQuery("SELECT " + minute + " AS minute, status, COUNT(*) AS n FROM job_request"
                            + " WHERE finished_at >= " + dialect.fromEpochMillis(":since")
                            + " AND status IN " + StoreStatements.FINISHED + " GROUP BY " + minute + ", status"))
                    .bind("since", since.toEpochMilli())
                    .map((rs, ctx) -> {
                        long[] byStatus = counts.computeIfAbsent(rs.getLong("minute"), m -> new long[3]);
                        int slot = switch (JobStatus.fromDbValue(rs.getString("status"))) {
                            case SUCCEEDED -> 0;
                            case FAILED -> 1;
                            default -> 2;
                        };
                        byStatus[slot] += rs.getLong("n");
                        return 0;
                    })
                    .list();
            return counts.entrySet().stream().map(e -> new JobThroughput(Instant.ofEpochMilli(e.getKey() * 60_000),
                    e.getValue()[0], e.getValue()[1], e.getValue()[2])).toList();
        }));
    }

    /**
     * One transaction: the lines numbered after the request's last, then its lines beyond
     * {@code keep} deleted, oldest first. Lines of a request that is gone are skipped.
     */
    void appendLog(long requestId, List<JobLogLine> lines, int keep) {
        if (lines.isEmpty()) {
            return;
        }
        store.call("store " + lines.size() + " log lines of job request " + requestId, () -> store.jdbi.inTransaction(h -> {
            boolean exists = h.createQuery("SELECT count(*) FROM job_request WHERE id = :id").bind("id", requestId)
                    .mapTo(Integer.class).one() > 0;
            if (!exists) {
                return 0;
            }
            int last = h.createQuery("SELECT coalesce(max(seq), 0) FROM job_log WHERE request_id = :id")
                    .bind("id", requestId).mapTo(Integer.class).one();
            PreparedBatch batch = h.prepareBatch("INSERT INTO job_log (request_id, seq, at, attempt, level, message)"
                    + " VALUES (:id, :seq, " + dialect.fromEpochMillis(":atMs") + ", :attempt, :level, :message)");
            int seq = last;
            for (JobLogLine line : lines) {
                batch.bind("id", requestId).bind("seq", ++seq).bind("atMs", line.at().toEpochMilli())
                        .bind("attempt", line.attempt()).bind("level", line.level().dbValue())
                        .bind("message", line.message()).add();
            }
            batch.execute();
            return h.createUpdate("DELETE FROM job_log WHERE request_id = :id AND seq <= :upTo")
                    .bind("id", requestId).bind("upTo", seq - keep).execute();
        }));
    }

    JobLog log(long requestId) {
        return store.call("read the log of job request " + requestId, () -> store.jdbi.withHandle(h -> {
            long[] firstSeq = {0};
            List<JobLogLine> lines = h.createQuery("SELECT seq, at, attempt, level, message FROM job_log"
                            + " WHERE request_id = :id ORDER BY seq")
                    .bind("id", requestId)
                    .map((rs, ctx) -> {
                        if (firstSeq[0] == 0) {
                            firstSeq[0] = rs.getLong("seq");  // lines before the first kept were dropped
                        }
                        return new JobLogLine(store.rows.instant(rs, "at"), rs.getInt("attempt"),
                                JobLogLine.Level.fromDbValue(rs.getString("level")), rs.getString("message"));
                    })
                    .list();
            return lines.isEmpty() ? JobLog.empty() : new JobLog(lines, firstSeq[0] - 1);
        }));
    }

    /** Every column, or with {@code previewChars} above 0 the large text ones cut to that many characters. */
    private String columns(int previewChars) {
        if (previewChars == 0) {
            return "*";
        }
        StringBuilder columns = new StringBuilder("id");
        for (String column : StoreStatements.REQUEST_COLUMNS) {
            columns.append(", ").append(CUT_IN_PREVIEWS.contains(column)
                    ? dialect.firstChars(column, previewChars) + " AS " + column : column);
        }
        return columns.toString();
    }

    /** The {@code AND …} conditions of the query's filters, bound by {@link #bindMatching}. */
    private String matching(JobQuery query) {
        StringBuilder where = new StringBuilder();
        if (!query.statuses().isEmpty()) {
            where.append(" AND status IN ").append(StoreStatements.inList("status", query.statuses().size()));
        }
        if (query.jobType() != null) {
            where.append(" AND job_type = :jobType");
        }
        if (query.queueName() != null) {
            where.append(" AND queue_name = :queueName");
        }
        if (query.createdSince() != null) {
            where.append(" AND created_at >= ").append(dialect.fromEpochMillis(":createdSinceMs"));
        }
        if (query.finishedSince() != null) {
            where.append(" AND finished_at >= ").append(dialect.fromEpochMillis(":finishedSinceMs"));
        }
        return where.toString();
    }

    private static Query bindMatching(Query q, JobQuery query) {
        bindEach(q, "status", query.statuses().stream().map(JobStatus::dbValue).sorted().toList());
        if (query.jobType() != null) {
            q.bind("jobType", query.jobType());
        }
        if (query.queueName() != null) {
            q.bind("queueName", query.queueName());
        }
        if (query.createdSince() != null) {
            q.bind("createdSinceMs", query.createdSince().toEpochMilli());
        }
        if (query.finishedSince() != null) {
            q.bind("finishedSinceMs", query.finishedSince().toEpochMilli());
        }
        return q;
    }
}
