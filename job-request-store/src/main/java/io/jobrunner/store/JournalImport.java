package io.jobrunner.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadCodec;
import io.jobrunner.ScheduledJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves an earlier version's embedded journal ({@code job-requests.jsonl}: one JSON line per changed
 * request, purge or schedule) into the SQLite store, once, keeping ids, states and histories; the
 * file is then kept as {@code job-requests.jsonl.imported}. A line that was completely written but
 * cannot be read stops the import with its number: nothing committed is dropped. Only an unfinished
 * last line (a crash mid-write, never acknowledged) is skipped. Stateless.
 */
final class JournalImport {

    static final String JOURNAL = "job-requests.jsonl";
    private static final Logger log = LoggerFactory.getLogger(JournalImport.class);
    private static final ObjectMapper MAPPER = PayloadCodec.lenient().mapper();

    private JournalImport() {
    }

    record Contents(Map<Long, JobRequest> rows, Map<String, ScheduledJob> schedules) {
    }

    static void importIfPresent(Path directory, JdbiJobRequestStore store) {
        Path journal = directory.resolve(JOURNAL);
        if (!Files.exists(journal)) {
            return;
        }
        Contents contents = read(journal);
        boolean imported = store.call("import " + journal, () -> store.jdbi().inTransaction(handle -> {
            if (!Files.exists(journal)) {
                return false; // another process imported it while this one waited for the write lock
            }
            contents.rows().values().forEach(row -> insert(handle, row));
            contents.schedules().values().forEach(schedule -> insert(handle, schedule));
            return true;
        }));
        if (!imported) {
            return;
        }
        Path kept = journal.resolveSibling(JOURNAL + ".imported");
        try {
            if (Files.exists(kept)) {
                kept = journal.resolveSibling(JOURNAL + ".imported-" + System.currentTimeMillis());
            }
            Files.move(journal, kept, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("Imported {} but could not rename it ({}); importing it again on the next open changes nothing",
                    journal, e.toString());
        }
        log.info("Imported {} job requests and {} schedules from {} into {}; the old file is kept as {}",
                contents.rows().size(), contents.schedules().size(), journal, store.description(), kept.getFileName());
    }

    static Contents read(Path journal) {
        Map<Long, JobRequest> rows = new LinkedHashMap<>();
        Map<String, ScheduledJob> schedules = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(journal, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobStoreException("Cannot read the earlier embedded job store " + journal + " to import it: " + e
                    + ". Make it readable, or move it away to start without its jobs", e);
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean terminated = i < lines.length - 1;
            if (line.isBlank()) {
                continue;
            }
            try {
                apply(MAPPER.readTree(line), rows, schedules);
            } catch (IOException | IllegalArgumentException e) {
                if (!terminated) {
                    log.warn("Skipping the unfinished last line of {} (written when a process died mid-write; it was "
                            + "never acknowledged)", journal);
                    continue;
                }
                throw new JobStoreException("Cannot import the earlier embedded job store " + journal + ": line "
                        + (i + 1) + " is damaged (" + e.getMessage() + "). Nothing was imported and the file is "
                        + "unchanged. Repair or delete that line (it holds one request's latest state), or move the "
                        + "file away to start without its jobs", e);
            }
        }
        return new Contents(rows, schedules);
    }

    private static void apply(JsonNode node, Map<Long, JobRequest> rows, Map<String, ScheduledJob> schedules)
            throws IOException {
        if (node.has("purged")) {
            node.get("purged").forEach(id -> rows.remove(id.asLong()));
        } else if (node.has("schedule")) {
            ScheduledJob schedule = MAPPER.treeToValue(node.get("schedule"), ScheduledJob.class);
            schedules.put(schedule.name(), schedule);
        } else if (node.has("scheduleRemoved")) {
            schedules.remove(node.get("scheduleRemoved").asText());
        } else {
            JobRequest row = MAPPER.treeToValue(node, JobRequest.class);
            if (row.id() <= 0 || row.jobType() == null || row.status() == null) {
                throw new IllegalArgumentException("not a job request: no id, job type or status");
            }
            rows.put(row.id(), row);
        }
    }

    private static void insert(Handle handle, JobRequest row) {
        handle.createUpdate("INSERT OR IGNORE INTO job_request (id, job_type, queue_name, payload, status, progress,"
                        + " result_message, result, last_error, attempts, max_attempts, dedup_key, run_at, locked_by,"
                        + " locked_until, runner, cancel_requested, created_at, updated_at, started_at, finished_at,"
                        + " handed_off_at, hand_off_target, attempt_history, attempt_started_at) VALUES (:id, :jobType,"
                        + " :queueName, :payload, :status, :progress, :resultMessage, :result, :lastError, :attempts,"
                        + " :maxAttempts, :dedupKey, :runAt, :lockedBy, :lockedUntil, :runner, :cancelRequested,"
                        + " :createdAt, :updatedAt, :startedAt, :finishedAt, :handedOffAt, :handOffTarget, :history,"
                        + " :attemptStartedAt)")
                .bind("id", row.id())
                .bind("jobType", row.jobType())
                .bind("queueName", row.queueName())
                .bind("payload", row.payloadJson() == null ? "null" : row.payloadJson())
                .bind("status", row.status().dbValue())
                .bind("progress", row.progress())
                .bind("resultMessage", row.resultMessage())
                .bind("result", row.resultJson())
                .bind("lastError", row.lastError())
                .bind("attempts", row.attempts())
                .bind("maxAttempts", Math.max(1, row.maxAttempts()))
                .bind("dedupKey", row.dedupKey())
                .bind("runAt", millis(row.runAt() == null ? row.createdAt() : row.runAt()))
                .bind("lockedBy", row.lockedBy())
                .bind("lockedUntil", millis(row.lockedUntil()))
                .bind("runner", row.runner())
                .bind("cancelRequested", row.cancelRequested())
                .bind("createdAt", millis(row.createdAt()))
                .bind("updatedAt", millis(row.updatedAt()))
                .bind("startedAt", millis(row.startedAt()))
                .bind("finishedAt", millis(row.finishedAt()))
                .bind("handedOffAt", millis(row.handedOffAt()))
                .bind("handOffTarget", row.handOffTarget())
                .bind("history", history(row))
                .bind("attemptStartedAt", millis(row.attemptStartedAt()))
                .execute();
    }

    private static void insert(Handle handle, ScheduledJob schedule) {
        JdbiSchedules.bindColumns(handle.createUpdate("INSERT OR IGNORE INTO job_schedule (name, spec, zone, job_type,"
                        + " queue_name, payload, max_attempts, allow_overlap, missed_runs, next_run_ms, last_occurrence_ms,"
                        + " last_job_id) VALUES (:name, :spec, :zone, :jobType, :queueName, :payload, :maxAttempts,"
                        + " :allowOverlap, :missedRuns, :nextRunMs, :lastOccurrenceMs, :lastJobId)"), schedule)
                .execute();
    }

    /** The history in the column's form: epoch milliseconds and lower-case outcomes, as the store writes it. */
    private static String history(JobRequest row) {
        ArrayNode array = MAPPER.createArrayNode();
        for (JobAttempt attempt : row.history()) {
            array.addObject()
                    .put("attempt", attempt.attempt())
                    .put("worker", attempt.worker())
                    .put("startedAt", millis(attempt.startedAt()))
                    .put("finishedAt", millis(attempt.finishedAt()))
                    .put("outcome", attempt.outcome().dbValue())
                    .put("error", attempt.error());
        }
        return array.toString();
    }

    private static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }
}
