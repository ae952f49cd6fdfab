package io.jobrunner.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;
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
 * no envelope. A job runs only when it was handed off to the queue the record came from
 * ({@code eventSourceARN}), so whoever can send to the queue cannot run another application's
 * jobs; one of a type this function has no handler for is left queued, untouched, for a process
 * that has one. The function must have partial batch responses enabled ({@code ReportBatchItemFailures}).
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
                if (!handled(record.path("body").asText(), record.path("eventSourceARN").asText(""), deadline)) {
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
    private boolean handled(String body, String sourceArn, Instant deadline) {
        Envelope envelope = Envelope.parse(body);
        if (envelope instanceof Envelope.Task task) {
            runtime.runTask(task);
            return true;
        }
        long jobId = ((Envelope.Job) envelope).jobId();
        JobRequest request = runtime.findJob(jobId);
        if (!fromQueue(request.handOffTarget(), sourceArn)) {
            log.error("Job request {} ({}, runner {}) was handed off to {}, not to the queue {} this record came from;"
                            + " it is not run here and the message stays in the queue for its dead-letter queue. Two"
                            + " applications may share the database, or someone sent a job id to this queue", jobId,
                    request.jobType(), request.runner(),
                    request.handOffTarget() == null ? "nothing" : request.handOffTarget(), sourceArn);
            return false;
        }
        if (!runtime.handlesJob(request.jobType())) {
            log.warn("Job request {} is of type '{}', which this function has no handler for; it is left queued and"
                    + " untouched, and the message stays in the queue", jobId, request.jobType());
            return false;
        }
        JobRuns.Run run = runtime.runJob(jobId, request.handOffTarget(), deadline);
        if (run.held()) {
            runtime.store().clearHandOff(jobId);
            log.info("Job request {} ({}) is held (its queue or job type is paused, or its concurrency limit is reached); its message is deleted and the"
                    + " hand-off sweep sends it again once it may run", jobId, request.jobType());
            return true;
        }
        if (!run.ran()) {
            JobStatus status = run.request().status();
            return status == JobStatus.SUCCEEDED || status == JobStatus.CANCELLED;
        }
        return run.result() == JobListener.Outcome.SUCCEEDED || run.result() == JobListener.Outcome.CANCELLED;
    }

    /**
     * True when {@code queueUrl} (a request's hand-off target, e.g.
     * {@code https://sqs.eu-west-1.amazonaws.com/123456789012/jobs}) names the queue of
     * {@code arn:aws:sqs:eu-west-1:123456789012:jobs}: the same account and queue name.
     */
    static boolean fromQueue(String queueUrl, String sourceArn) {
        String[] arn = sourceArn.split(":");
        if (queueUrl == null || arn.length != 6 || !arn[0].equals("arn") || !arn[2].equals("sqs")) {
            return false;
        }
        String[] path = queueUrl.replaceAll("/+$", "").split("/");
        return path.length >= 2 && path[path.length - 1].equals(arn[5]) && path[path.length - 2].equals(arn[4]);
    }
}
