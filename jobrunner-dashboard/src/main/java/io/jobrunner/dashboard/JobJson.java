package io.jobrunner.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobLimit;
import io.jobrunner.JobLog;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.ScheduledJob;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of requests, logs and schedules: objects with camel-case fields, times as ISO-8601
 * instants, payload and result as JSON values. One shape for the dashboard's API and the
 * command's {@code --json}, so scripts can read either.
 */
public final class JobJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JobJson() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write JSON: " + e.getMessage(), e);
        }
    }

    /** A batch's progress as JSON. */
    public static Map<String, Object> batch(io.jobrunner.BatchProgress batch) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", batch.id());
        json.put("total", batch.total());
        json.put("done", batch.done());
        json.put("succeeded", batch.succeeded());
        json.put("failed", batch.failed());
        json.put("cancelled", batch.cancelled());
        json.put("running", batch.running());
        json.put("finished", batch.finished());
        json.put("callbacks", batch.callbackIds());
        return json;
    }

    public static Map<String, Object> request(JobRequest request) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", request.id());
        json.put("jobType", request.jobType());
        json.put("queue", request.queueName());
        json.put("status", request.status().dbValue());
        json.put("progress", request.progress());
        json.put("attempts", request.attempts());
        json.put("maxAttempts", request.maxAttempts());
        json.put("priority", request.priority());
        json.put("concurrencyKey", request.concurrencyKey());
        json.put("waitingOn", request.waitingOn());
        json.put("runWhen", request.runWhen() == null ? null : request.runWhen().dbValue());
        json.put("batchId", request.batchId());
        json.put("runner", request.runner());
        json.put("dedupKey", request.dedupKey());
        json.put("payload", tree(request.payloadJson()));
        json.put("result", tree(request.resultJson()));
        json.put("resultMessage", request.resultMessage());
        json.put("lastError", request.lastError());
        json.put("cancelRequested", request.cancelRequested());
        json.put("lockedBy", request.lockedBy());
        json.put("lockedUntil", text(request.lockedUntil()));
        json.put("runAt", text(request.runAt()));
        json.put("createdAt", text(request.createdAt()));
        json.put("startedAt", text(request.startedAt()));
        json.put("finishedAt", text(request.finishedAt()));
        json.put("traceParent", request.traceParent());
        json.put("history", request.history().stream().map(JobJson::attempt).toList());
        return json;
    }

    /** Most characters of a payload or result a list shows; a longer one is cut, its whole shown by {@link #request}. */
    static final int LIST_PREVIEW = 500;

    /**
     * The query as a list reads it: each payload, result, message and error cut by the store to one
     * character more than a list shows (so {@link #requests} can tell a cut one), never read whole.
     */
    public static JobQuery forList(JobQuery query) {
        return query.previews(LIST_PREVIEW + 1);
    }

    /**
     * Requests for a list (a page of up to 500): as {@link #request}, but a payload or result longer
     * than {@value #LIST_PREVIEW} characters is shown as the start of its JSON text, so a page of big
     * payloads stays small.
     */
    public static List<Map<String, Object>> requests(List<JobRequest> requests) {
        return requests.stream().map(request -> {
            Map<String, Object> json = request(request);
            json.put("payload", preview(request.payloadJson()));
            json.put("result", preview(request.resultJson()));
            return json;
        }).toList();
    }

    private static Object preview(String json) {
        if (json == null || json.length() <= LIST_PREVIEW) {
            return tree(json);
        }
        return json.substring(0, LIST_PREVIEW) + "… (cut at " + LIST_PREVIEW + " characters; show the job for all of it)";
    }

    /** Workers as {@code jobrunner workers --json} and {@code /api/workers} show them. */
    public static List<Map<String, Object>> workers(List<JobWorker> workers) {
        return workers.stream().map(worker -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", worker.id());
            json.put("host", worker.host());
            json.put("runner", worker.runner());
            json.put("target", worker.target());
            json.put("jobTypes", worker.jobTypes().stream().sorted().toList());
            json.put("queues", worker.queues().stream().sorted().toList());
            json.put("slots", worker.slots());
            json.put("startedAt", text(worker.startedAt()));
            json.put("lastSeenAt", text(worker.lastSeenAt()));
            json.put("live", worker.live());
            return json;
        }).toList();
    }

    public static Map<String, Object> log(JobLog log) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dropped", log.dropped());
        json.put("lines", log.lines().stream().map(line -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("at", text(line.at()));
            entry.put("attempt", line.attempt());
            entry.put("level", line.level().dbValue());
            entry.put("message", line.message());
            return entry;
        }).toList());
        return json;
    }

    private static Map<String, Object> attempt(JobAttempt attempt) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("attempt", attempt.attempt());
        json.put("worker", attempt.worker());
        json.put("startedAt", text(attempt.startedAt()));
        json.put("finishedAt", text(attempt.finishedAt()));
        json.put("outcome", attempt.outcome().dbValue());
        json.put("error", attempt.error());
        return json;
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }

    public static Map<String, Object> limit(JobLimit limit) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("jobType", limit.jobType());
        json.put("maxRunning", limit.maxRunning() > 0 ? limit.maxRunning() : null);
        json.put("maxRunningPerKey", limit.maxRunningPerKey() > 0 ? limit.maxRunningPerKey() : null);
        json.put("running", limit.running());
        json.put("rateLimit", rate(limit.rateLimit()));
        json.put("rateLimitPerKey", rate(limit.rateLimitPerKey()));
        json.put("startedInWindow", limit.startedInWindow());
        json.put("nextStartAt", text(limit.nextStartAt()));
        return json;
    }

    private static Map<String, Object> rate(io.jobrunner.RateLimit rate) {
        if (rate == null) {
            return null;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("starts", rate.starts());
        json.put("periodMs", rate.per().toMillis());
        return json;
    }

    public static Map<String, Object> paused(PausedWork paused) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", paused.pause().kind() == Pause.Kind.QUEUE ? "queue" : "jobType");
        json.put("name", paused.pause().name());
        json.put("since", text(paused.since()));
        json.put("queued", paused.queued());
        return json;
    }

    public static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    public static Map<String, Object> schedule(ScheduledJob schedule) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", schedule.name());
        json.put("schedule", schedule.spec());
        json.put("zone", schedule.zone());
        json.put("jobType", schedule.jobType());
        json.put("queue", schedule.queueName());
        json.put("nextRunAt", text(schedule.nextRunAt()));
        json.put("lastOccurrence", text(schedule.lastOccurrence()));
        json.put("lastJobId", schedule.lastJobId());
        json.put("paused", schedule.paused());
        return json;
    }
}
