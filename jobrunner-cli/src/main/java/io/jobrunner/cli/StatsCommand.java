package io.jobrunner.cli;

import io.jobrunner.JobCounts;
import io.jobrunner.JobLimit;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.dashboard.JobJson;
import io.jobrunner.dashboard.TimeText;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code jobrunner stats}: counts by status and by type, the oldest queued request, recent failures. */
@Command(name = "stats", description = "Counts of job requests by status and by type, the oldest queued request, the"
        + " failures of the last hour, and the queues and job types paused with the jobs they hold.")
final class StatsCommand extends StoreReport {

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        JobCounts counts = store.jobs().counts();
        Optional<JobRequest> oldestQueued = store.jobs().list(JobQuery.all().withStatus(JobStatus.QUEUED).limit(1))
                .stream().findFirst();
        long failedLastHour = store.jobs().count(JobQuery.all().withStatus(JobStatus.FAILED)
                .finishedSince(now.minus(Duration.ofHours(1))));
        List<PausedWork> paused = store.jobs().paused();
        List<JobLimit> limits = store.jobs().limits();
        if (json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("store", store.description());
            figures.put("byStatus", byName(counts.byStatus()));
            Map<String, Object> byType = new LinkedHashMap<>();
            counts.byType().forEach((type, statuses) -> byType.put(type, byName(statuses)));
            figures.put("byType", byType);
            figures.put("oldestQueued", oldestQueued.map(r -> Map.of("id", r.id(), "jobType", r.jobType(),
                    "createdAt", r.createdAt().toString())).orElse(null));
            figures.put("failedLastHour", failedLastHour);
            figures.put("paused", paused.stream().map(JobJson::paused).toList());
            figures.put("limits", limits.stream().map(JobJson::limit).toList());
            out.println(JobJson.write(figures));
            return 0;
        }
        out.println("Job requests in " + store.description());
        Table table = new Table(header());
        table.row(row("all", counts.byStatus()));
        counts.byType().forEach((type, statuses) -> table.row(row(type, statuses)));
        table.print(out);
        out.println();
        out.println("oldest queued: " + oldestQueued.map(r -> r.id() + " (" + r.jobType() + "), created "
                + TimeText.relative(r.createdAt(), now)).orElse("none"));
        out.println("failed in the last hour: " + failedLastHour);
        for (JobLimit limit : limits) {
            out.println("limited: " + limit.jobType() + ", " + limit.running() + " running"
                    + (limit.maxRunning() > 0 ? " of at most " + limit.maxRunning() : "")
                    + (limit.maxRunningPerKey() > 0 ? ", at most " + limit.maxRunningPerKey() + " per key" : "")
                    + (limit.rateLimit() == null ? "" : ", " + limit.startedInWindow() + " started in the last "
                    + TimeText.amount(limit.rateLimit().per()) + " of at most " + limit.rateLimit().starts()
                    + (limit.nextStartAt() == null ? "" : " (next start " + TimeText.relative(limit.nextStartAt(), now) + ")"))
                    + (limit.rateLimitPerKey() == null ? "" : ", at most " + limit.rateLimitPerKey().starts() + " per key per "
                    + TimeText.amount(limit.rateLimitPerKey().per())));
        }
        for (PausedWork held : paused) {
            out.println("paused: " + held.pause() + ", since " + TimeText.relative(held.since(), now) + ", holding "
                    + held.queued() + " queued ('jobrunner resume " + (held.pause().kind() == Pause.Kind.QUEUE ? "--queue "
                    : "--type ") + held.pause().name() + "')");
        }
        return 0;
    }

    private static String[] header() {
        List<String> names = new java.util.ArrayList<>(List.of("TYPE"));
        for (JobStatus status : JobStatus.values()) {
            names.add(status.dbValue().toUpperCase(java.util.Locale.ROOT));
        }
        names.add("TOTAL");
        return names.toArray(String[]::new);
    }

    private static Object[] row(String name, Map<JobStatus, Long> statuses) {
        Object[] cells = new Object[JobStatus.values().length + 2];
        cells[0] = name;
        long total = 0;
        for (JobStatus status : JobStatus.values()) {
            long count = statuses.getOrDefault(status, 0L);
            cells[status.ordinal() + 1] = count;
            total += count;
        }
        cells[cells.length - 1] = total;
        return cells;
    }

    private static Map<String, Long> byName(Map<JobStatus, Long> statuses) {
        Map<String, Long> named = new LinkedHashMap<>();
        for (JobStatus status : JobStatus.values()) {
            named.put(status.dbValue(), statuses.getOrDefault(status, 0L));
        }
        return named;
    }
}
