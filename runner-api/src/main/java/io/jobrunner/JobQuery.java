package io.jobrunner;

import io.jobrunner.spi.store.JobRequestStore;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * A filter and a page for {@link JobRequestStore#list}. Results come in id order, oldest first, or
 * newest first with {@link #newestFirst()}; page on with {@link #after(long)} given the last id seen.
 * Immutable.
 *
 * @param statuses      statuses to include (empty: all)
 * @param jobType       job type to match, or {@code null} for any
 * @param queueName     queue to match, or {@code null} for any
 * @param afterId       only ids after this one in the query's order — greater, or smaller when newest
 *                      first (0 for the first page)
 * @param limit         page size, 1 to {@value #MAX_LIMIT}
 * @param createdSince  only requests created at or after this instant, or {@code null}
 * @param finishedSince only requests that finished at or after this instant (so only finished ones), or {@code null}
 * @param descending    highest ids first (see {@link #newestFirst()})
 * @param previewChars  0 for whole requests; else the most characters of each payload, result, result
 *                      message and last error the list carries (see {@link #previews(int)})
 */
public record JobQuery(Set<JobStatus> statuses, String jobType, String queueName, long afterId, int limit,
                       Instant createdSince, Instant finishedSince, boolean descending, int previewChars) {

    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 100;

    public JobQuery {
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("Query limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must not be negative, got " + afterId);
        }
        if (previewChars < 0) {
            throw new IllegalArgumentException("previewChars must be 0 (whole requests) or more, got " + previewChars);
        }
    }

    /** A query of whole requests. */
    public JobQuery(Set<JobStatus> statuses, String jobType, String queueName, long afterId, int limit,
                    Instant createdSince, Instant finishedSince, boolean descending) {
        this(statuses, jobType, queueName, afterId, limit, createdSince, finishedSince, descending, 0);
    }

    /** A query without time filters. */
    public JobQuery(Set<JobStatus> statuses, String jobType, String queueName, long afterId, int limit) {
        this(statuses, jobType, queueName, afterId, limit, null, null, false);
    }

    /** A query in id order, oldest first. */
    public JobQuery(Set<JobStatus> statuses, String jobType, String queueName, long afterId, int limit,
                    Instant createdSince, Instant finishedSince) {
        this(statuses, jobType, queueName, afterId, limit, createdSince, finishedSince, false);
    }

    /** Every request, first page of {@value #DEFAULT_LIMIT}. */
    public static JobQuery all() {
        return new JobQuery(Set.of(), null, null, 0, DEFAULT_LIMIT);
    }

    public JobQuery withStatus(JobStatus... wanted) {
        return withStatuses(Set.of(wanted));
    }

    public JobQuery withStatuses(Set<JobStatus> wanted) {
        return new JobQuery(wanted, jobType, queueName, afterId, limit, createdSince, finishedSince, descending, previewChars);
    }

    public JobQuery withJobType(String type) {
        return new JobQuery(statuses, type, queueName, afterId, limit, createdSince, finishedSince, descending, previewChars);
    }

    public JobQuery withQueue(String queue) {
        return new JobQuery(statuses, jobType, queue, afterId, limit, createdSince, finishedSince, descending, previewChars);
    }

    /** Only requests created at or after {@code since}. */
    public JobQuery createdSince(Instant since) {
        return new JobQuery(statuses, jobType, queueName, afterId, limit, since, finishedSince, descending, previewChars);
    }

    /** Only requests that finished (succeeded, failed or cancelled) at or after {@code since}. */
    public JobQuery finishedSince(Instant since) {
        return new JobQuery(statuses, jobType, queueName, afterId, limit, createdSince, since, descending, previewChars);
    }

    public JobQuery after(long lastSeenId) {
        return new JobQuery(statuses, jobType, queueName, lastSeenId, limit, createdSince, finishedSince, descending, previewChars);
    }

    public JobQuery limit(int pageSize) {
        return new JobQuery(statuses, jobType, queueName, afterId, pageSize, createdSince, finishedSince, descending, previewChars);
    }

    /** The same query, highest ids first; {@link #after(long)} then pages on to smaller ids. */
    public JobQuery newestFirst() {
        return new JobQuery(statuses, jobType, queueName, afterId, limit, createdSince, finishedSince, true, previewChars);
    }

    /**
     * The same query for an overview: each listed request's payload, result, result message and last
     * error cut to at most {@code chars} characters by the store, so a page of large requests costs
     * little to read. A cut payload or result is no longer whole JSON: read one request by id for
     * that. 0 lists whole requests.
     */
    public JobQuery previews(int chars) {
        return new JobQuery(statuses, jobType, queueName, afterId, limit, createdSince, finishedSince, descending, chars);
    }

    /** True when the request passes the filter (paging aside). */
    public boolean matches(JobRequest request) {
        return (statuses.isEmpty() || statuses.contains(request.status()))
                && (jobType == null || jobType.equals(request.jobType()))
                && (queueName == null || queueName.equals(request.queueName()))
                && (createdSince == null || !request.createdAt().isBefore(createdSince))
                && (finishedSince == null || request.finishedAt() != null && !request.finishedAt().isBefore(finishedSince));
    }
}
