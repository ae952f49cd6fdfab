package io.jobrunner.dashboard;

import io.jobrunner.JobCounts;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobStatus;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.ScheduledJob;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The JSON API behind the pages, and the reading both share: filters from query parameters, the
 * last hour minute by minute. Thread-safe.
 */
final class Api {

    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;
    static final Duration CHART_WINDOW = Duration.ofHours(1);

    private final JobRequests jobs;
    private final Supplier<List<ScheduledJob>> schedules;

    Api(JobRequests jobs, Supplier<List<ScheduledJob>> schedules) {
        this.jobs = jobs;
        this.schedules = schedules;
    }

    /**
     * {@code status} (comma-separated), {@code type}, {@code queue}, {@code order} ({@code newest}, the
     * default, or {@code oldest}), {@code after}, {@code limit} as a query.
     */
    static JobQuery query(Map<String, String> parameters) {
        JobQuery query = JobJson.forList(JobQuery.all().limit(DEFAULT_PAGE));
        String order = parameters.getOrDefault("order", "newest");
        if (order.equals("newest")) {
            query = query.newestFirst();
        } else if (!order.equals("oldest")) {
            throw new IllegalArgumentException("Unknown order '" + order + "': use newest or oldest");
        }
        String status = parameters.get("status");
        if (status != null) {
            Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
            for (String name : status.split(",")) {
                try {
                    statuses.add(JobStatus.fromDbValue(name.trim().toLowerCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Unknown status '" + name.trim()
                            + "': use queued, running, succeeded, failed or cancelled");
                }
            }
            query = query.withStatuses(statuses);
        }
        if (parameters.containsKey("type")) {
            query = query.withJobType(parameters.get("type"));
        }
        if (parameters.containsKey("queue")) {
            query = query.withQueue(parameters.get("queue"));
        }
        if (parameters.containsKey("after")) {
            query = query.after(number(parameters, "after", 0, Long.MAX_VALUE));
        }
        if (parameters.containsKey("limit")) {
            query = query.limit((int) number(parameters, "limit", 1, MAX_PAGE));
        }
        return query;
    }

    private static long number(Map<String, String> parameters, String name, long min, long max) {
        String raw = parameters.get(name);
        try {
            long value = Long.parseLong(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + name + "' must be a whole number from " + min + " to " + max + ", not '"
                + raw + "'");
    }

    /** Finished requests per minute over the last hour, oldest first, a zero entry for each quiet minute. */
    List<JobThroughput> lastHour(Instant now) {
        Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(CHART_WINDOW).plus(Duration.ofMinutes(1));
        Map<Instant, JobThroughput> counted = new LinkedHashMap<>();
        for (JobThroughput minute : jobs.finishedPerMinute(first)) {
            counted.put(minute.minute(), minute);
        }
        List<JobThroughput> minutes = new ArrayList<>();
        for (Instant minute = first; !minute.isAfter(now); minute = minute.plus(Duration.ofMinutes(1))) {
            minutes.add(counted.getOrDefault(minute, new JobThroughput(minute, 0, 0, 0)));
        }
        return minutes;
    }

    Map<String, Object> overview() {
        JobCounts counts = jobs.counts();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("store", jobs.description());
        json.put("byStatus", byStatus(counts.byStatus()));
        Map<String, Object> byType = new LinkedHashMap<>();
        counts.byType().forEach((type, statuses) -> byType.put(type, byStatus(statuses)));
        json.put("byType", byType);
        json.put("unworkedTypes", unworkedTypes());
        json.put("paused", jobs.paused().stream().map(JobJson::paused).toList());
        json.put("limits", jobs.limits().stream().map(JobJson::limit).toList());
        json.put("lastHour", lastHour(Instant.now()).stream().map(minute -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("minute", JobJson.text(minute.minute()));
            entry.put("succeeded", minute.succeeded());
            entry.put("failed", minute.failed());
            entry.put("cancelled", minute.cancelled());
            return entry;
        }).toList());
        return json;
    }

    private static Map<String, Long> byStatus(Map<JobStatus, Long> counts) {
        Map<String, Long> json = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            json.put(status.dbValue(), counts.getOrDefault(status, 0L));
        }
        return json;
    }

    Map<String, Object> jobs(Map<String, String> parameters) {
        JobQuery query = query(parameters);
        List<JobRequest> page = jobs.list(query);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("jobs", JobJson.requests(page));
        json.put("next", page.size() == query.limit() ? page.get(page.size() - 1).id() : null);
        return json;
    }

    Map<String, Object> job(JobRequest request) {
        Map<String, Object> json = JobJson.request(request);
        json.put("dependencies", jobs.dependencies(request.id()));
        if (request.batchId() != null) {
            jobs.batch(request.batchId()).ifPresent(batch -> json.put("batch", JobJson.batch(batch)));
        }
        json.put("log", JobJson.log(jobs.log(request.id())));
        return json;
    }

    List<Map<String, Object>> workers() {
        return JobJson.workers(jobs.workers());
    }

    /**
     * The job types with queued requests that no live worker takes, each with the runner its oldest
     * queued request waits for: only runners whose jobs wait for registered workers count (an
     * in-process runner runs its own). One read of the registry and one short list per queued type.
     */
    Map<String, String> unworkedTypes() {
        Map<String, String> unworked = new TreeMap<>();
        List<JobWorker> live = null;
        for (Map.Entry<String, Map<JobStatus, Long>> type : jobs.counts().byType().entrySet()) {
            if (type.getValue().getOrDefault(JobStatus.QUEUED, 0L) == 0) {
                continue;
            }
            Optional<JobRequest> oldest = jobs.list(JobQuery.all().withJobType(type.getKey()).withStatus(JobStatus.QUEUED)
                    .limit(1).previews(1)).stream().findFirst();
            if (oldest.isEmpty() || !JobWorker.REGISTERING_RUNNERS.contains(oldest.get().runner())) {
                continue;
            }
            if (live == null) {
                live = jobs.workers().stream().filter(JobWorker::live).toList();
            }
            JobRequest waiting = oldest.get();
            if (live.stream().noneMatch(worker -> worker.takes(waiting.jobType(), waiting.queueName(), waiting.runner(),
                    waiting.handOffTarget()))) {
                unworked.put(waiting.jobType(), waiting.runner());
            }
        }
        return unworked;
    }

    List<Map<String, Object>> schedules() {
        return schedules.get().stream().map(JobJson::schedule).toList();
    }
}
