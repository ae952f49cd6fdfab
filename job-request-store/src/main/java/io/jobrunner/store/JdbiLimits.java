package io.jobrunner.store;

import io.jobrunner.JobLimit;
import io.jobrunner.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The {@code job_limit} table for {@link JdbiJobRequestStore}: the concurrency and rate limits of the
 * job types that have one, which the claim statements enforce ({@link StoreStatements}). Thread-safe.
 */
final class JdbiLimits {

    /** How long this process trusts what it last read of whether any type has a limit. */
    private static final long RULES_CHECK_NANOS = Duration.ofSeconds(5).toNanos();

    private final StoreAccess store;
    private volatile Rules rules = new Rules(true, true);
    private volatile long rulesCheckedAt = System.nanoTime() - RULES_CHECK_NANOS;

    /**
     * Whether some type has a limit of any kind ({@code limited}), and whether some type has a rate
     * limit ({@code rateLimited}, which implies {@code limited}), as this process last read them.
     */
    record Rules(boolean limited, boolean rateLimited) {
    }

    JdbiLimits(StoreAccess store) {
        this.store = store;
    }

    /** In one transaction: the limited types upserted, the others' rows deleted by one statement. */
    void define(List<JobLimit> limits) {
        if (limits.isEmpty()) {
            return;
        }
        List<String> unlimited = limits.stream().filter(limit -> !limit.limited()).map(JobLimit::jobType).toList();
        store.call("store the limits", () -> store.jdbi.inTransaction(h -> {
            if (!unlimited.isEmpty()) {
                StoreAccess.bindEach(h.createUpdate("DELETE FROM job_limit WHERE job_type IN "
                        + StoreStatements.inList("type", unlimited.size())), "type", unlimited).execute();
            }
            for (JobLimit limit : limits) {
                if (limit.limited()) {
                    h.createUpdate("INSERT INTO job_limit (job_type, max_running, max_running_per_key, rate_limit,"
                                    + " rate_period_ms, rate_limit_per_key, rate_period_per_key_ms) VALUES (:type, :max,"
                                    + " :perKey, :rate, :ratePeriod, :ratePerKey, :ratePerKeyPeriod) ON CONFLICT (job_type) DO"
                                    + " UPDATE SET max_running = excluded.max_running,"
                                    + " max_running_per_key = excluded.max_running_per_key, rate_limit = excluded.rate_limit,"
                                    + " rate_period_ms = excluded.rate_period_ms, rate_limit_per_key = excluded.rate_limit_per_key,"
                                    + " rate_period_per_key_ms = excluded.rate_period_per_key_ms, updated_at = " + store.sql.now())
                            .bind("type", limit.jobType())
                            .bind("max", limit.maxRunning() > 0 ? limit.maxRunning() : null)
                            .bind("perKey", limit.maxRunningPerKey() > 0 ? limit.maxRunningPerKey() : null)
                            .bind("rate", limit.rateLimit() == null ? null : limit.rateLimit().starts())
                            .bind("ratePeriod", limit.rateLimit() == null ? null : limit.rateLimit().per().toMillis())
                            .bind("ratePerKey", limit.rateLimitPerKey() == null ? null : limit.rateLimitPerKey().starts())
                            .bind("ratePerKeyPeriod", limit.rateLimitPerKey() == null ? null
                                    : limit.rateLimitPerKey().per().toMillis())
                            .execute();
                }
            }
            return null;
        }));
        rulesCheckedAt = System.nanoTime() - RULES_CHECK_NANOS;
    }

    /**
     * The limits in use as this process last read them, at most a few seconds ago (at once after it
     * defined some): claims check concurrency limits only while some type has one, and record their
     * starts only while some type has a rate limit. A claim that skips the checks still passes over
     * every limited type ({@link StoreStatements#NOT_LIMITED}), so a limit defined elsewhere in the
     * meantime delays its type's jobs until the next read, and is never exceeded.
     */
    Rules rules() {
        long now = System.nanoTime();
        if (now - rulesCheckedAt >= RULES_CHECK_NANOS) {
            rules = store.call("look for limits", () -> store.jdbi.withHandle(h -> h.createQuery(
                    "SELECT count(*) AS limited, coalesce(sum(CASE WHEN rate_limit IS NOT NULL OR rate_limit_per_key IS NOT NULL"
                            + " THEN 1 ELSE 0 END), 0) AS rated FROM job_limit")
                    .map((rs, ctx) -> new Rules(rs.getLong("limited") > 0, rs.getLong("rated") > 0)).one()));
            rulesCheckedAt = now;
        }
        return rules;
    }

    List<JobLimit> list() {
        String windowStart = store.sql.dialect.nowMinusMillis("l.rate_period_ms");
        return store.call("list the limits", () -> store.jdbi.withHandle(h -> h.createQuery(
                        "SELECT l.*, (SELECT count(*) FROM job_request r WHERE r.status = " + StoreStatements.RUNNING
                                + " AND r.job_type = l.job_type) AS running, (SELECT count(*) FROM job_start s WHERE"
                                + " s.job_type = l.job_type AND s.limit_key IS NULL AND s.started_at > " + windowStart
                                + ") AS started, (SELECT min(s.started_at) FROM job_start s WHERE s.job_type = l.job_type"
                                + " AND s.limit_key IS NULL AND s.started_at > " + windowStart + ") AS oldest"
                                + " FROM job_limit l ORDER BY l.job_type")
                .map((rs, ctx) -> {
                    RateLimit rate = rate(rs.getInt("rate_limit"), rs.getLong("rate_period_ms"));
                    long started = rs.getLong("started");
                    Instant oldest = store.rows.instant(rs, "oldest");
                    Instant next = rate != null && started >= rate.starts() && oldest != null ? oldest.plus(rate.per()) : null;
                    return new JobLimit(rs.getString("job_type"), rs.getInt("max_running"), rs.getInt("max_running_per_key"),
                            rs.getLong("running"), rate, rate(rs.getInt("rate_limit_per_key"),
                            rs.getLong("rate_period_per_key_ms")), rate == null ? 0 : started, next);
                })
                .list()));
    }

    private static RateLimit rate(int starts, long periodMs) {
        return starts > 0 ? new RateLimit(starts, Duration.ofMillis(periodMs)) : null;
    }
}
