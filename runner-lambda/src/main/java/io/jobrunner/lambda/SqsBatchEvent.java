package io.jobrunner.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobListener;
import io.jobrunner.JobStatus;
import io.jobrunner.internal.Envelope;
import io.jobrunner.internal.JobRuns;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SQS event-source batch. Each record is handled on its own; the answer names in
 * {@code batchItemFailures} only the records to keep in the queue: a task that threw, a job
 * attempt that failed (retry or final, so a spent job's message reaches the dead-letter queue
 * through the redrive policy), a job not yet due or held by another lease, and bodies that are
 * no envelope. The function must have partial batch responses enabled
 * ({@code ReportBatchItemFailures}).
 */
final class SqsBatchEvent {

    private static final Logger log = LoggerFactory.getLogger(SqsBatchEvent.class);

    private final FunctionRuntime runtime;

    SqsBatchEvent(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    JsonNode handle(JsonNode records, Instant deadline) {
        ArrayNode failures = JsonNodeFactory.instance.arrayNode();
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asText();
            try {
                if (!handled(record.path("body").asText(), deadline)) {
                    failures.addObject().put("itemIdentifier", messageId);
                }
            } catch (RuntimeException e) {
                log.error("SQS record {} failed and stays in the queue: {}", messageId, e.toString());
                failures.addObject().put("itemIdentifier", messageId);
            }
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set("batchItemFailures", failures);
        return result;
    }

    /** True when the record is done with and its message may be deleted. */
    private boolean handled(String body, Instant deadline) {
        Envelope envelope = Envelope.parse(body);
        if (envelope instanceof Envelope.Task task) {
            runtime.runTask(task.taskName(), task.payloadJson());
            return true;
        }
        JobRuns.Run run = runtime.runJob(((Envelope.Job) envelope).jobId(), null, deadline);
        if (!run.ran()) {
            JobStatus status = run.request().status();
            return status == JobStatus.SUCCEEDED || status == JobStatus.CANCELLED;
        }
        return run.result() == JobListener.Outcome.SUCCEEDED || run.result() == JobListener.Outcome.CANCELLED;
    }
}
