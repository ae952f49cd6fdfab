package io.jobrunner.cli;

import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.dashboard.JobJson;
import io.jobrunner.dashboard.TimeText;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jobrunner list}: one page of requests, filtered, in id order. */
@Command(name = "list", description = "List job requests, oldest first, one page at a time.")
final class ListCommand extends StoreReport {

    @Option(names = {"-s", "--status"}, split = ",", paramLabel = "STATUS",
            description = "waiting, queued, running, succeeded, failed or cancelled; several separated by commas")
    List<String> statuses = List.of();

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "only this job type")
    String jobType;

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "only this queue")
    String queue;

    @Option(names = "--created-since", paramLabel = "WHEN",
            description = "created since: a duration back from now (15m, 2h, 7d) or an instant (2026-11-24T10:00:00Z)")
    String createdSince;

    @Option(names = "--finished-since", paramLabel = "WHEN", description = "finished since, as --created-since")
    String finishedSince;

    @Option(names = "--after", paramLabel = "ID", description = "the page after this id (the last one shown)")
    long after;

    @Option(names = {"-r", "--newest-first"}, description = "highest ids first; --after then pages on to smaller ones")
    boolean newestFirst;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
            description = "at most this many (default ${DEFAULT-VALUE}, at most " + JobQuery.MAX_LIMIT + ")")
    int limit;

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        if (limit < 1 || limit > JobQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be between 1 and " + JobQuery.MAX_LIMIT + ", got " + limit);
        }
        JobQuery query = JobJson.forList(JobQuery.all()).withStatuses(statuses(statuses)).withJobType(jobType).withQueue(queue)
                .after(after).limit(limit)
                .createdSince(createdSince == null ? null : Times.since("--created-since", createdSince, now))
                .finishedSince(finishedSince == null ? null : Times.since("--finished-since", finishedSince, now));
        if (newestFirst) {
            query = query.newestFirst();
        }
        List<JobRequest> page = store.jobs().list(query);
        if (json) {
            out.println(JobJson.write(JobJson.requests(page)));
            return 0;
        }
        Table table = new Table("ID", "STATUS", "TYPE", "QUEUE", "PRIO", "ATTEMPTS", "PROGRESS", "CREATED", "FINISHED",
                "MESSAGE");
        for (JobRequest request : page) {
            table.row(request.id(), request.status().dbValue(), request.jobType(), request.queueName(), request.priority(),
                    request.attempts() + "/" + request.maxAttempts(), request.progress() + "%",
                    TimeText.relative(request.createdAt(), now), TimeText.relative(request.finishedAt(), now),
                    message(request));
        }
        table.print(out);
        if (page.size() == limit) {
            out.printf("(%d shown; the next page: --after %d%s)%n", page.size(),
                    page.get(page.size() - 1).id(), newestFirst ? " --newest-first" : "");
        } else if (page.isEmpty()) {
            out.println("(no job requests match, in " + store.description() + ")");
        }
        return 0;
    }

    /** The line that says most about a request: a finished one's error or message, else its progress message or last error. */
    static String message(JobRequest request) {
        return switch (request.status()) {
            case SUCCEEDED -> request.resultMessage();
            case FAILED, CANCELLED -> request.lastError() != null ? request.lastError() : request.resultMessage();
            case WAITING, QUEUED, RUNNING -> request.resultMessage() != null ? request.resultMessage() : request.lastError();
        };
    }

    static Set<JobStatus> statuses(List<String> names) {
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        for (String name : names) {
            try {
                statuses.add(JobStatus.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown status '" + name + "': expected waiting, queued, running,"
                        + " succeeded, failed or cancelled");
            }
        }
        return statuses;
    }
}
