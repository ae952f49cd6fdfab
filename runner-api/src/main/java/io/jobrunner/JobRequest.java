package io.jobrunner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One stored job: the row of the {@code job_request} table at the moment it was read.
 *
 * <p>A snapshot: it never changes after it is read; read it again ({@link JobRequests#find(long)}) to see
 * later progress. Immutable and thread-safe.
 *
 * @param id             database identity
 * @param jobType        the handler's name
 * @param queueName      optional queue, {@code null} for the default
 * @param payloadJson    the payload as JSON text ({@code "null"} for none)
 * @param status         lifecycle state
 * @param progress       0 to 100
 * @param resultMessage  the handler's last progress message, or the result message
 * @param resultJson     the handler's result as JSON text, or {@code null}
 * @param lastError      the error of the last failed attempt, or {@code null}
 * @param attempts       attempts started so far (the running attempt included)
 * @param maxAttempts    attempts allowed in all
 * @param dedupKey       optional deduplication key, unique among stored requests
 * @param runAt          not to be started before this instant
 * @param lockedBy       owner of the current lease, when running
 * @param lockedUntil    end of the current lease, when running
 * @param runner         name of the runner that dispatched it
 * @param cancelRequested true once {@code cancel} was asked while it ran
 * @param handedOffAt    when it was last handed to its transport (queue message, invocation), or {@code null}
 * @param handOffTarget  where it is handed off (a queue URL, a function name), or {@code null}
 * @param createdAt      when it was first stored
 * @param updatedAt      when it last changed
 * @param startedAt      when its first attempt started
 * @param finishedAt     when it reached a finished state
 * @param attemptStartedAt when the current or last attempt was claimed
 * @param history        every finished attempt, oldest first, with its outcome and error
 * @param traceParent    the trace its dispatch belonged to, as a W3C {@code traceparent} value (each attempt
 *                       runs as a child of it), or {@code null} when the dispatcher traced nothing
 * @param priority       its claim order among due jobs of its queue, higher first (0 by default)
 * @param concurrencyKey the key its type's per-key limit counts it under, or {@code null}
 * @param waitingOn      how many of the jobs it depends on have not finished yet (0 without dependencies);
 *                       read them with {@link JobRequests#dependencies(long)}
 * @param runWhen        when it runs once its dependencies finished, or {@code null} without dependencies
 * @param batchId        the {@link JobBatch} it is a member of, or {@code null}
 */
public record JobRequest(
        long id,
        String jobType,
        String queueName,
        String payloadJson,
        JobStatus status,
        int progress,
        String resultMessage,
        String resultJson,
        String lastError,
        int attempts,
        int maxAttempts,
        String dedupKey,
        Instant runAt,
        String lockedBy,
        Instant lockedUntil,
        String runner,
        boolean cancelRequested,
        Instant handedOffAt,
        String handOffTarget,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant finishedAt,
        Instant attemptStartedAt,
        List<JobAttempt> history,
        String traceParent,
        int priority,
        String concurrencyKey,
        int waitingOn,
        RunWhen runWhen,
        Long batchId) {

    public JobRequest {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /**
     * The handler's result read as {@code type} (a record, a bean, a {@code Map}, a {@code String}…),
     * with the default codec's Jackson settings; empty when the job has no result (not finished, or
     * its handler returned {@code null}). The stored JSON is the handler's result as written, though
     * PostgreSQL ({@code jsonb}) may return its object keys in another order than the embedded store.
     *
     * @throws PayloadException naming the job and the type, when the result cannot be read as {@code type}
     */
    public <T> Optional<T> result(Class<T> type) {
        return readResult(type.getName(), mapper -> mapper.readValue(resultJson, type));
    }

    /** {@link #result(Class)} for a generic type, e.g. {@code new TypeReference<List<Invoice>>() {}}. */
    public <T> Optional<T> result(TypeReference<T> type) {
        return readResult(type.getType().getTypeName(), mapper -> mapper.readValue(resultJson, type));
    }

    private interface Read<T> {
        T from(ObjectMapper mapper) throws JsonProcessingException;
    }

    private <T> Optional<T> readResult(String typeName, Read<T> read) {
        if (resultJson == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(read.from(PayloadCodec.defaultCodec().mapper()));
        } catch (JsonProcessingException e) {
            throw new PayloadException(jobType, "The result of job request " + id + " (" + jobType + ") cannot be read as "
                    + typeName + ": " + e.getOriginalMessage() + ". Read it as the type its handler returns", e);
        }
    }

    /** True when another attempt may follow a failure of the current one. */
    public boolean hasAttemptsLeft() {
        return attempts < maxAttempts;
    }

    @Override
    public String toString() {
        return "JobRequest[id=" + id + ", type=" + jobType + ", status=" + status.dbValue()
                + ", progress=" + progress + ", attempts=" + attempts + "/" + maxAttempts
                + (resultMessage == null ? "" : ", message=" + resultMessage)
                + (resultJson == null ? "" : ", result=" + resultJson)
                + (lastError == null ? "" : ", lastError=" + lastError.lines().findFirst().orElse("")) + "]";
    }
}
