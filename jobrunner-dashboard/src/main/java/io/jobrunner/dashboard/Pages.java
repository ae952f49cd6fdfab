package io.jobrunner.dashboard;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobCounts;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobStatus;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.ScheduledJob;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The dashboard's HTML pages, rendered on the server; {@code dashboard.js} only refreshes a running job. Thread-safe. */
final class Pages {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final int CHART_WIDTH = 720;
    private static final int CHART_HEIGHT = 140;
    private static final int FAILED_PAGE = 100;

    private final JobRequests jobs;
    private final Supplier<List<ScheduledJob>> schedules;
    private final String csrf;
    private final Api api;
    private final boolean canTrigger;

    Pages(JobRequests jobs, Supplier<List<ScheduledJob>> schedules, String csrf, Api api, boolean canTrigger) {
        this.jobs = jobs;
        this.schedules = schedules;
        this.csrf = csrf;
        this.api = api;
        this.canTrigger = canTrigger;
    }

    String overview(Notice notice) {
        Instant now = Instant.now();
        JobCounts counts = jobs.counts();
        List<PausedWork> paused = jobs.paused();
        Html html = open("Overview", "overview", "", notice);
        html.raw("<h1>Overview</h1><section class=\"cards\">");
        for (JobStatus status : JobStatus.values()) {
            html.raw("<a class=\"card card-").raw(status.dbValue()).raw("\" href=\"/jobs?status=").raw(status.dbValue())
                    .raw("\"><span class=\"count\" id=\"count-").raw(status.dbValue()).raw("\">").text(counts.of(status))
                    .raw("</span><span class=\"label\">").text(status.dbValue()).raw("</span></a>");
        }
        html.raw("</section>");
        List<JobThroughput> minutes = api.lastHour(now);
        long succeeded = minutes.stream().mapToLong(JobThroughput::succeeded).sum();
        long failed = minutes.stream().mapToLong(m -> m.failed() + m.cancelled()).sum();
        html.raw("<h2>The last hour</h2><p class=\"summary\"><span class=\"ok\">").text(succeeded)
                .raw(" succeeded</span> · <span class=\"bad\">").text(failed).raw(" failed or cancelled</span></p>");
        chart(html, minutes);
        html.raw("<h2>By job type</h2>");
        Map<String, String> unworked = api.unworkedTypes();
        if (!unworked.isEmpty()) {
            html.raw("<p class=\"warning\" id=\"unworked\">No live worker takes ");
            int i = 0;
            for (Map.Entry<String, String> type : unworked.entrySet()) {
                html.raw(i++ == 0 ? "" : ", ").raw("<strong>").text(type.getKey()).raw("</strong> (")
                        .text(type.getValue()).raw(")");
            }
            html.raw(": those jobs stay queued until one does. Start one with <code>jobrunner worker</code>; see")
                    .raw(" <a href=\"/workers\">Workers</a>.</p>");
        }
        if (counts.byType().isEmpty()) {
            html.raw("<p class=\"muted\">No job requests in the store yet.</p>");
        } else {
            html.raw("<table class=\"grid\"><thead><tr><th>Type</th>");
            for (JobStatus status : JobStatus.values()) {
                html.raw("<th class=\"num\">").text(status.dbValue()).raw("</th>");
            }
            html.raw("<th></th></tr></thead><tbody>");
            for (Map.Entry<String, Map<JobStatus, Long>> type : counts.byType().entrySet()) {
                boolean typePaused = paused.stream().anyMatch(p -> p.pause().equals(Pause.jobType(type.getKey())));
                html.raw("<tr><td><a href=\"/jobs?type=").text(url(type.getKey())).raw("\">").text(type.getKey())
                        .raw("</a>").raw(unworked.containsKey(type.getKey())
                                ? " <span class=\"tag-warning\" title=\"no live worker takes this type\">no worker</span>" : "")
                        .raw(typePaused ? " <span class=\"tag-paused\">paused</span>" : "")
                        .raw("</td>");
                for (JobStatus status : JobStatus.values()) {
                    html.raw("<td class=\"num\">").text(type.getValue().getOrDefault(status, 0L)).raw("</td>");
                }
                html.raw("<td>").action(pausePath("type", type.getKey(), typePaused ? "resume" : "pause"),
                        typePaused ? "Resume" : "Pause", csrf, null).raw("</td></tr>");
            }
            html.raw("</tbody></table>");
        }
        pauses(html, paused, now);
        return close(html);
    }

    /** The pauses in force, each with a resume button, and a form that pauses a queue by name. */
    private void pauses(Html html, List<PausedWork> paused, Instant now) {
        html.raw("<h2>Paused</h2>");
        if (paused.isEmpty()) {
            html.raw("<p class=\"muted\" id=\"no-pauses\">Nothing is paused.</p>");
        } else {
            html.raw("<table class=\"grid\" id=\"pauses\"><thead><tr><th>Paused</th><th>Since</th>")
                    .raw("<th class=\"num\">Queued jobs held</th><th></th></tr></thead><tbody>");
            for (PausedWork held : paused) {
                String kind = held.pause().kind() == Pause.Kind.QUEUE ? "queue" : "type";
                html.raw("<tr><td>").text(held.pause().toString()).raw("</td><td>").time(held.since(), now)
                        .raw("</td><td class=\"num\">").text(held.queued()).raw("</td><td>")
                        .action(pausePath(kind, held.pause().name(), "resume"), "Resume", csrf, null).raw("</td></tr>");
            }
            html.raw("</tbody></table>");
        }
        html.raw("<p class=\"muted\">A paused queue or job type starts nothing, on any runner, until resumed;"
                + " pause a job type from its row above, a queue with <code>jobrunner pause --queue NAME</code>.</p>");
    }

    private static String pausePath(String kind, String name, String action) {
        return "/pauses/" + kind + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
    }

    /** Stacked bars, one per minute: succeeded below, failed and cancelled above. */
    private static void chart(Html html, List<JobThroughput> minutes) {
        long highest = Math.max(1, minutes.stream().mapToLong(m -> m.succeeded() + m.failed() + m.cancelled()).max().orElse(1));
        int slot = CHART_WIDTH / minutes.size();
        int plot = CHART_HEIGHT - 20;
        html.raw("<svg class=\"chart\" id=\"chart\" viewBox=\"0 0 ").text(CHART_WIDTH).raw(" ").text(CHART_HEIGHT)
                .raw("\" role=\"img\" aria-label=\"Finished jobs per minute over the last hour\">");
        for (int i = 0; i < minutes.size(); i++) {
            JobThroughput minute = minutes.get(i);
            long bad = minute.failed() + minute.cancelled();
            int okHeight = (int) Math.round((double) minute.succeeded() * plot / highest);
            int badHeight = (int) Math.round((double) bad * plot / highest);
            int x = i * slot;
            html.raw("<g><title>").text(MINUTE.format(minute.minute()) + ": " + minute.succeeded() + " succeeded, " + bad
                    + " failed or cancelled").raw("</title>");
            html.raw("<rect class=\"bar-bg\" x=\"").text(x).raw("\" y=\"0\" width=\"").text(slot - 2).raw("\" height=\"")
                    .text(plot).raw("\"/>");
            html.raw("<rect class=\"bar-ok\" x=\"").text(x).raw("\" y=\"").text(plot - okHeight).raw("\" width=\"")
                    .text(slot - 2).raw("\" height=\"").text(okHeight).raw("\"/>");
            html.raw("<rect class=\"bar-bad\" x=\"").text(x).raw("\" y=\"").text(plot - okHeight - badHeight)
                    .raw("\" width=\"").text(slot - 2).raw("\" height=\"").text(badHeight).raw("\"/></g>");
        }
        html.raw("<text x=\"0\" y=\"").text(CHART_HEIGHT - 4).raw("\">").text(MINUTE.format(minutes.get(0).minute()))
                .raw("</text><text x=\"").text(CHART_WIDTH).raw("\" y=\"").text(CHART_HEIGHT - 4)
                .raw("\" text-anchor=\"end\">now</text><text x=\"").text(CHART_WIDTH / 2).raw("\" y=\"")
                .text(CHART_HEIGHT - 4).raw("\" text-anchor=\"middle\">peak ").text(highest).raw(" per minute</text></svg>");
    }

    String jobs(Map<String, String> parameters, Notice notice) {
        JobQuery query = Api.query(parameters);
        List<JobRequest> page = jobs.list(query);
        Html html = open("Jobs", "jobs", "", notice);
        html.raw("<h1>Jobs</h1><form class=\"filters\" method=\"get\" action=\"/jobs\">")
                .raw("<label>Status <select name=\"status\"><option value=\"\">any</option>");
        for (JobStatus status : JobStatus.values()) {
            boolean chosen = query.statuses() != null && query.statuses().equals(Set.of(status));
            html.raw("<option").raw(chosen ? " selected" : "").raw(">").text(status.dbValue()).raw("</option>");
        }
        html.raw("</select></label><label>Order <select name=\"order\"><option value=\"newest\"")
                .raw(query.descending() ? " selected" : "").raw(">newest first</option><option value=\"oldest\"")
                .raw(query.descending() ? "" : " selected").raw(">oldest first</option></select></label>");
        html.raw("<label>Type <input name=\"type\" value=\"").text(query.jobType())
                .raw("\"></label><label>Queue <input name=\"queue\" value=\"").text(query.queueName())
                .raw("\"></label><button type=\"submit\">Filter</button> <a href=\"/jobs\">clear</a></form>");
        html.raw("<p class=\"muted\">").text(jobs.count(query)).raw(" matching, ")
                .text(query.descending() ? "newest first" : "oldest first").raw("</p>");
        table(html, page, Instant.now(), null);
        if (page.size() == query.limit()) {
            StringBuilder next = new StringBuilder("/jobs?after=").append(page.get(page.size() - 1).id());
            parameters.forEach((name, value) -> {
                if (!name.equals("after")) {
                    next.append('&').append(url(name)).append('=').append(url(value));
                }
            });
            html.raw("<p><a class=\"next\" href=\"").text(next).raw("\">Next page →</a></p>");
        }
        return close(html);
    }

    /**
     * A table of requests. With {@code actionsBack} set, each row gets its retry or cancel button (a cancel
     * returning to that page).
     */
    private void table(Html html, List<JobRequest> requests, Instant now, String actionsBack) {
        if (requests.isEmpty()) {
            html.raw("<p class=\"muted empty\">None.</p>");
            return;
        }
        html.raw("<table class=\"grid jobs\"><thead><tr><th class=\"num\">ID</th><th>Status</th><th>Type</th>")
                .raw("<th>Queue</th><th class=\"num\">Attempts</th><th>Progress</th><th>Created</th><th>Runs</th>")
                .raw("<th>Finished</th>")
                .raw("<th>Message</th>").raw(actionsBack == null ? "" : "<th></th>").raw("</tr></thead><tbody>");
        for (JobRequest request : requests) {
            html.raw("<tr data-id=\"").text(request.id()).raw("\"><td class=\"num\"><a href=\"/jobs/").text(request.id())
                    .raw("\">").text(request.id()).raw("</a></td><td>").status(request.status()).raw("</td><td>")
                    .text(request.jobType()).raw("</td><td>").text(request.queueName()).raw("</td><td class=\"num\">")
                    .text(request.attempts() + "/" + request.maxAttempts()).raw("</td><td><progress max=\"100\" value=\"")
                    .text(request.progress()).raw("\"></progress></td><td>").time(request.createdAt(), now).raw("</td><td>")
                    .time(runsLater(request, now), now).raw("</td><td>").time(request.finishedAt(), now).raw("</td><td class=\"message\">").text(summary(request)).raw("</td>");
            if (actionsBack != null) {
                html.raw("<td>");
                actions(html, request, actionsBack);
                html.raw("</td>");
            }
            html.raw("</tr>");
        }
        html.raw("</tbody></table>");
    }

    /** When a queued request is due, if that is still ahead (delayed, or waiting for a retry); else none. */
    private static Instant runsLater(JobRequest request, Instant now) {
        return request.status() == JobStatus.QUEUED && request.runAt() != null && request.runAt().isAfter(now)
                ? request.runAt() : null;
    }

    /** Retry leads to the job's page, to watch it run again; cancel returns to {@code back}. */
    private void actions(Html html, JobRequest request, String back) {
        if (request.status() == JobStatus.FAILED || request.status() == JobStatus.CANCELLED) {
            html.action("/jobs/" + request.id() + "/retry", "Retry", csrf, null);
        }
        if (request.status() == JobStatus.WAITING || request.status() == JobStatus.QUEUED
                || request.status() == JobStatus.RUNNING) {
            html.action("/jobs/" + request.id() + "/cancel", "Cancel", csrf, back);
        }
    }

    /** The first line of the last error, or the message. */
    private static String summary(JobRequest request) {
        String text = request.status() == JobStatus.FAILED && request.lastError() != null ? request.lastError()
                : request.resultMessage();
        if (text == null) {
            return null;
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 160 ? line.substring(0, 159) + "…" : line;
    }

    String job(JobRequest request, Notice notice) {
        Instant now = Instant.now();
        Html html = open("Job " + request.id(), "job", " data-job-id=\"" + request.id() + "\" data-status=\""
                + request.status().dbValue() + "\"", notice);
        html.raw("<h1>Job ").text(request.id()).raw(" <span class=\"type\">").text(request.jobType()).raw("</span></h1>");
        html.raw("<section class=\"state\"><span id=\"status\">").status(request.status()).raw("</span>")
                .raw("<progress id=\"progress\" max=\"100\" value=\"").text(request.progress()).raw("\"></progress>")
                .raw("<span id=\"progress-text\">").text(request.progress() + "%").raw("</span>")
                .raw("<span id=\"message\" class=\"message\">").text(request.resultMessage()).raw("</span>");
        actions(html, request, null);
        html.raw("</section><dl class=\"fields\">");
        field(html, "Queue", request.queueName());
        field(html, "Attempts", request.attempts() + " of " + request.maxAttempts());
        field(html, "Priority", request.priority());
        if (request.concurrencyKey() != null) {
            field(html, "Concurrency key", request.concurrencyKey());
        }
        dependencies(html, request);
        if (request.status() == JobStatus.QUEUED) {
            io.jobrunner.JobLimit.rateReached(jobs.limits(), request.jobType()).ifPresent(limit -> {
                        html.raw("<dt>Next start</dt><dd id=\"next-start\">").time(limit.nextStartAt(), now)
                                .raw(" <span class=\"muted\">(rate limit ").text(limit.rateLimit().starts() + " per "
                                        + TimeText.amount(limit.rateLimit().per())).raw(" reached)</span></dd>");
                    });
        }
        if (request.batchId() != null) {
            jobs.batch(request.batchId()).ifPresent(batch -> field(html, "Batch", batch));
        }
        field(html, "Runner", request.runner());
        field(html, "Dedup key", request.dedupKey());
        fieldTime(html, "Run at", request.runAt(), now);
        fieldTime(html, "Created", request.createdAt(), now);
        fieldTime(html, "Started", request.startedAt(), now);
        fieldTime(html, "Finished", request.finishedAt(), now);
        if (request.status() == JobStatus.RUNNING) {
            field(html, "Worker", request.lockedBy());
            fieldTime(html, "Lease until", request.lockedUntil(), now);
        }
        field(html, "Handed off to", request.handOffTarget());
        if (request.traceParent() != null) {
            field(html, "Trace", request.traceParent());
        }
        html.raw("</dl><h2>Payload</h2><pre class=\"payload\">").text(request.payloadJson()).raw("</pre>");
        if (request.resultJson() != null) {
            html.raw("<h2>Result</h2><pre class=\"result\">").text(request.resultJson()).raw("</pre>");
        }
        if (request.lastError() != null) {
            html.raw("<h2>Last error</h2><pre class=\"error\" id=\"last-error\">").text(request.lastError()).raw("</pre>");
        }
        history(html, request.history(), now);
        log(html, jobs.log(request.id()));
        return close(html);
    }

    /** The jobs it runs after, each a link, and how many it still waits for. */
    private void dependencies(Html html, JobRequest request) {
        List<Long> after = jobs.dependencies(request.id());
        if (after.isEmpty()) {
            return;
        }
        html.raw("<dt>Runs after</dt><dd id=\"dependencies\">");
        for (Long id : after) {
            html.raw("<a href=\"/jobs/").text(id).raw("\">").text(id).raw("</a> ");
        }
        html.raw("<span class=\"muted\">(when ").text(request.runWhen().dbValue().replace('_', ' '))
                .text(request.waitingOn() > 0 ? "; waiting for " + request.waitingOn() : "").raw(")</span></dd>");
    }

    private static void field(Html html, String name, Object value) {
        html.raw("<dt>").text(name).raw("</dt><dd>").text(value == null ? "—" : value).raw("</dd>");
    }

    private static void fieldTime(Html html, String name, Instant value, Instant now) {
        html.raw("<dt>").text(name).raw("</dt><dd>").time(value, now).raw("</dd>");
    }

    private static void history(Html html, List<JobAttempt> attempts, Instant now) {
        html.raw("<h2>Attempts</h2>");
        if (attempts.isEmpty()) {
            html.raw("<p class=\"muted\">No attempt has finished yet.</p>");
            return;
        }
        html.raw("<table class=\"grid\"><thead><tr><th class=\"num\">#</th><th>Outcome</th><th>Worker</th>")
                .raw("<th>Started</th><th>Took</th><th>Error</th></tr></thead><tbody>");
        for (JobAttempt attempt : attempts) {
            String took = attempt.startedAt() == null || attempt.finishedAt() == null ? null
                    : Duration.between(attempt.startedAt(), attempt.finishedAt()).toMillis() + " ms";
            html.raw("<tr><td class=\"num\">").text(attempt.attempt()).raw("</td><td>").text(attempt.outcome().dbValue())
                    .raw("</td><td>").text(attempt.worker()).raw("</td><td>").time(attempt.startedAt(), now)
                    .raw("</td><td>").text(took).raw("</td><td><pre class=\"error\">").text(attempt.error())
                    .raw("</pre></td></tr>");
        }
        html.raw("</tbody></table>");
    }

    private static void log(Html html, JobLog log) {
        html.raw("<h2>Log</h2><p class=\"muted\" id=\"log-dropped\">")
                .text(log.dropped() > 0 ? log.dropped() + " older lines dropped" : "").raw("</p>")
                .raw("<table class=\"grid log\"><thead><tr><th>At</th><th class=\"num\">Attempt</th><th>Level</th>")
                .raw("<th>Message</th></tr></thead><tbody id=\"log\">");
        for (JobLogLine line : log.lines()) {
            html.raw("<tr class=\"level-").raw(line.level().dbValue()).raw("\"><td>").text(line.at()).raw("</td><td class=\"num\">")
                    .text(line.attempt()).raw("</td><td>").text(line.level().dbValue()).raw("</td><td>")
                    .text(line.message()).raw("</td></tr>");
        }
        html.raw("</tbody></table>");
    }

    String failed(Notice notice) {
        Instant now = Instant.now();
        Html html = open("Failed", "failed", "", notice);
        List<JobRequest> failed = jobs.list(JobJson.forList(
                JobQuery.all().withStatus(JobStatus.FAILED).newestFirst().limit(FAILED_PAGE)));
        html.raw("<h1>Failed jobs</h1><p class=\"muted\">").text(jobs.count(JobQuery.all().withStatus(JobStatus.FAILED)))
                .raw(" failed, newest first; retry one to queue it again with its history kept.</p>");
        table(html, failed, now, "/failed");
        List<JobRequest> retrying = jobs.list(JobJson.forList(
                JobQuery.all().withStatus(JobStatus.QUEUED).newestFirst().limit(Api.MAX_PAGE)))
                .stream()
                .filter(request -> request.attempts() > 0 && request.lastError() != null).limit(FAILED_PAGE).toList();
        html.raw("<h2>Waiting for a retry</h2><p class=\"muted\">Failed at least once, queued for another attempt;"
                + " cancel one to stop its retries.</p>");
        table(html, retrying, now, "/failed");
        return close(html);
    }

    String schedules(Notice notice) {
        Instant now = Instant.now();
        List<ScheduledJob> all = schedules.get();
        Html html = open("Schedules", "schedules", "", notice);
        html.raw("<h1>Recurring jobs</h1>");
        if (all.isEmpty()) {
            html.raw("<p class=\"muted empty\">No recurring jobs.</p>");
            return close(html);
        }
        html.raw("<table class=\"grid\"><thead><tr><th>Name</th><th>Schedule</th><th>Zone</th><th>Type</th>")
                .raw("<th>Queue</th><th>Next run</th><th>Last run</th><th>Last job</th>")
                .raw(canTrigger ? "<th></th>" : "").raw("</tr></thead><tbody>");
        for (ScheduledJob schedule : all) {
            html.raw("<tr><td>").text(schedule.name()).raw("</td><td><code>").text(schedule.spec()).raw("</code></td><td>")
                    .text(schedule.zone()).raw("</td><td>").text(schedule.jobType()).raw("</td><td>")
                    .text(schedule.queueName()).raw("</td><td>");
            if (schedule.paused()) {
                html.raw("<span class=\"paused\">paused</span>");
            } else {
                html.time(schedule.nextRunAt(), now);
            }
            html.raw("</td><td>")
                    .time(schedule.lastOccurrence(), now).raw("</td><td>");
            if (schedule.lastJobId() != null) {
                html.raw("<a href=\"/jobs/").text(schedule.lastJobId()).raw("\">").text(schedule.lastJobId()).raw("</a>");
            }
            html.raw("</td>");
            if (canTrigger) {
                html.raw("<td>").action("/schedules/" + URLEncoder.encode(schedule.name(), StandardCharsets.UTF_8)
                        .replace("+", "%20") + "/trigger", "Trigger now", csrf, null).raw("</td>");
            }
            html.raw("</tr>");
        }
        html.raw("</tbody></table>");
        return close(html);
    }

    String workers() {
        Instant now = Instant.now();
        List<JobWorker> all = jobs.workers();
        Html html = open("Workers", "workers", "", Notice.NONE);
        html.raw("<h1>Workers</h1><p class=\"muted\">Database and SQS workers register here while they run and renew")
                .raw(" their row every ").text(JobWorker.HEARTBEAT.toSeconds()).raw(" s; one not seen for ")
                .text(JobWorker.LIVE_WITHIN.toSeconds()).raw(" s is not live (stopped, frozen or cut off), and is")
                .raw(" forgotten after a day.</p>");
        if (all.isEmpty()) {
            html.raw("<p class=\"muted empty\">No workers registered. Start one with <code>jobrunner worker</code>.</p>");
            return close(html);
        }
        html.raw("<table class=\"grid workers\"><thead><tr><th>Worker</th><th>Runner</th><th>Live</th>")
                .raw("<th class=\"num\">Slots</th><th>Job types</th><th>Queues</th><th>Started</th><th>Last seen</th>")
                .raw("</tr></thead><tbody>");
        for (JobWorker worker : all) {
            html.raw("<tr class=\"").raw(worker.live() ? "live" : "gone").raw("\"><td><code>").text(worker.id())
                    .raw("</code></td><td>").text(worker.runner()).raw("</td><td>").text(worker.live() ? "yes" : "no")
                    .raw("</td><td class=\"num\">").text(worker.slots()).raw("</td><td>")
                    .text(String.join(", ", worker.jobTypes().stream().sorted().toList())).raw("</td><td>")
                    .text(worker.queues().isEmpty() ? "all" : String.join(", ", worker.queues().stream().sorted().toList()))
                    .raw("</td><td>").time(worker.startedAt(), now).raw("</td><td>").time(worker.lastSeenAt(), now)
                    .raw("</td></tr>");
        }
        html.raw("</tbody></table>");
        return close(html);
    }

    String problem(int status, String message) {
        Html html = open("Error " + status, "problem", "", Notice.NONE);
        html.raw("<h1>").text(status).raw("</h1><p class=\"problem\">").text(message).raw("</p>")
                .raw("<p><a href=\"/\">Overview</a></p>");
        return close(html);
    }

    private Html open(String title, String page, String bodyAttributes, Notice notice) {
        Html html = new Html();
        html.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").text(title)
                .raw(" · jobrunner</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .raw("<meta name=\"csrf-token\" content=\"").text(csrf).raw("\">")
                .raw("<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">")
                .raw("<script src=\"/assets/dashboard.js\" defer></script></head>")
                .raw("<body data-page=\"").raw(page).raw("\"").raw(bodyAttributes).raw("><header><a class=\"brand\" href=\"/\">")
                .raw("jobrunner</a><nav>");
        link(html, "/", "Overview", page.equals("overview"));
        link(html, "/jobs", "Jobs", page.equals("jobs") || page.equals("job"));
        link(html, "/failed", "Failed", page.equals("failed"));
        link(html, "/schedules", "Schedules", page.equals("schedules"));
        link(html, "/workers", "Workers", page.equals("workers"));
        html.raw("</nav><span class=\"store\">").text(jobs.description()).raw("</span></header><main>");
        notice.text().ifPresent(text -> html.raw("<p class=\"notice\" role=\"status\">").text(text).raw("</p>"));
        return html;
    }

    private static void link(Html html, String href, String label, boolean current) {
        html.raw("<a href=\"").raw(href).raw("\"").raw(current ? " class=\"current\" aria-current=\"page\"" : "").raw(">")
                .text(label).raw("</a>");
    }

    private static String close(Html html) {
        return html.raw("</main></body></html>").toString();
    }

    private static String url(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
