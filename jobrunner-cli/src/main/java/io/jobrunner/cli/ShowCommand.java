package io.jobrunner.cli;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.dashboard.JobJson;
import io.jobrunner.dashboard.TimeText;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jobrunner show ID}: every field of one request, its attempts, payload, result and error. */
@Command(name = "show", description = "Show one job request: its fields, attempt history, progress, result and error.")
final class ShowCommand extends StoreReport {

    @Parameters(paramLabel = "ID", description = "the request's id")
    long id;

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        Optional<JobRequest> found = store.jobs().find(id);
        if (found.isEmpty()) {
            spec.commandLine().getErr().println("jobrunner show: no job request " + id + " in " + store.description());
            return JobRunnerCli.FAILED;
        }
        JobRequest request = found.get();
        JobLog log = store.jobs().log(id);
        java.util.List<Long> dependencies = store.jobs().dependencies(id);
        Optional<io.jobrunner.BatchProgress> batch = request.batchId() == null ? Optional.empty()
                : store.jobs().batch(request.batchId());
        if (json) {
            Map<String, Object> shown = JobJson.request(request);
            shown.put("dependencies", dependencies);
            batch.ifPresent(progress -> shown.put("batch", JobJson.batch(progress)));
            shown.put("log", JobJson.log(log));
            out.println(JobJson.write(shown));
            return 0;
        }
        field(out, "id", request.id());
        field(out, "type", request.jobType());
        field(out, "queue", request.queueName());
        field(out, "status", request.status().dbValue() + (request.cancelRequested() ? " (cancel requested)" : ""));
        field(out, "progress", request.progress() + "%");
        field(out, "attempts", request.attempts() + " of " + request.maxAttempts());
        field(out, "priority", request.priority());
        field(out, "key", request.concurrencyKey());
        if (!dependencies.isEmpty()) {
            field(out, "after", dependencies + " (runs when " + request.runWhen().dbValue().replace('_', ' ')
                    + (request.waitingOn() > 0 ? "; waiting for " + request.waitingOn() + " of them" : "") + ")");
        }
        batch.ifPresent(progress -> field(out, "batch", progress));
        if (request.status() == JobStatus.QUEUED) {
            io.jobrunner.JobLimit.rateReached(store.jobs().limits(), request.jobType()).ifPresent(limit -> field(out,
                    "next start",
                    at(limit.nextStartAt(), now) + " (its type's rate limit, " + limit.rateLimit().starts() + " per "
                    + TimeText.amount(limit.rateLimit().per()) + ", is reached)"));
        }
        field(out, "runner", request.runner());
        field(out, "dedup key", request.dedupKey());
        field(out, "created", at(request.createdAt(), now));
        field(out, "run at", at(request.runAt(), now));
        field(out, "started", at(request.startedAt(), now));
        field(out, "finished", at(request.finishedAt(), now));
        if (request.status() == JobStatus.RUNNING && request.lockedBy() != null) {
            field(out, "leased by", request.lockedBy() + " until " + at(request.lockedUntil(), now));
        }
        field(out, "trace", request.traceParent());
        field(out, "payload", request.payloadJson());
        field(out, "result", request.resultJson());
        field(out, "message", request.resultMessage());
        if (!request.history().isEmpty()) {
            out.println();
            Table attempts = new Table("ATTEMPT", "OUTCOME", "WORKER", "STARTED", "TOOK", "ERROR");
            for (JobAttempt attempt : request.history()) {
                attempts.row(attempt.attempt(), attempt.outcome().dbValue(), attempt.worker(),
                        TimeText.relative(attempt.startedAt(), now), attempt.startedAt() == null || attempt.finishedAt() == null
                                ? null : TimeText.amount(java.time.Duration.between(attempt.startedAt(), attempt.finishedAt())),
                        attempt.error());
            }
            attempts.print(out);
        }
        if (!log.lines().isEmpty()) {
            out.println();
            out.println("log" + (log.dropped() > 0 ? " (" + log.dropped() + " older lines dropped)" : "") + ":");
            for (JobLogLine line : log.lines()) {
                out.printf("%s  #%d  %-5s  %s%n", line.at(), line.attempt(), line.level(), Printable.line(line.message()));
            }
        }
        if (request.lastError() != null) {
            out.println();
            out.println("last error:");
            out.println(Printable.lines(request.lastError()));
        }
        return 0;
    }

    private static void field(PrintWriter out, String name, Object value) {
        if (value != null) {
            out.printf("%-10s %s%n", name, Printable.line(String.valueOf(value)));
        }
    }

    private static String at(Instant time, Instant now) {
        return time == null ? null : time + " (" + TimeText.relative(time, now) + ")";
    }
}
