package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequest;
import io.jobrunner.JobTracer;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.Envelope;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.MalformedMessageException;
import io.jobrunner.internal.Recovery;
import io.jobrunner.internal.RetryBackoff;
import io.jobrunner.internal.Tasks;
import io.jobrunner.spi.store.JobRequestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Decides what one received message means and does it: runs a task, or claims and runs a job,
 * then deletes the message, delays it (retry backoff, a run-at still ahead, a duplicate whose
 * request another worker holds), or leaves it to the redrive policy. Never throws: a message it
 * cannot handle is logged with its id. Thread-safe.
 */
final class MessageProcessor {

    private static final Logger log = LoggerFactory.getLogger(MessageProcessor.class);

    /** What the processor needs from the worker; one per worker. */
    private volatile Runnable placeFreed;

    record Parts(SqsClient client, String queueUrl, QueueAttributes queue, HandlerRegistry handlers, PayloadCodec codec,
                 JobTracer tracer, JobRequestStore store, JobRuns runs, RetryBackoff backoff, DeleteBatcher deleter) {
    }

    /** A job message's claim, made with the rest of its batch: the request claimed, or {@code null} when refused. */
    record Claim(JobRequest request) {
    }

    private final Parts parts;

    MessageProcessor(Parts parts) {
        this.parts = parts;
    }

    /**
     * Claims the jobs of a received batch in one statement. A job message maps to its claim (an
     * empty one when the claim was refused; a job named twice in the batch is claimed for the first
     * message only); tasks and unreadable messages are absent, and so is everything when the batch
     * holds fewer than two jobs or the claim failed — those messages claim on their own.
     */
    Map<String, Claim> claimJobs(List<Message> messages) {
        Map<String, Long> jobOf = new LinkedHashMap<>();
        for (Message message : messages) {
            try {
                if (Envelope.parse(message.body()) instanceof Envelope.Job job) {
                    jobOf.put(message.messageId(), job.jobId());
                }
            } catch (MalformedMessageException e) {
                // reported when the message itself is processed
            }
        }
        if (jobOf.size() < 2) {
            return Map.of();
        }
        Map<Long, JobRequest> claimed = new HashMap<>();
        try {
            for (JobRequest request : parts.runs().claimAll(jobOf.values(), parts.queueUrl())) {
                claimed.put(request.id(), request);
            }
        } catch (RuntimeException e) {
            log.warn("Claiming the {} jobs of a received batch failed; each message claims on its own: {}", jobOf.size(),
                    e.toString());
            return Map.of();
        }
        Map<String, Claim> claims = new HashMap<>();
        jobOf.forEach((messageId, jobId) -> claims.put(messageId, new Claim(claimed.remove(jobId))));
        return claims;
    }

    /**
     * Runs the message's task or job on this thread, which goes on once the handler returned. The
     * future completes (never exceptionally) when the message is settled: deleted or queued for
     * deletion, delayed, or left to come back.
     *
     * @param claim the claim made with the message's batch, or {@code null} to claim now
     */
    CompletableFuture<Void> process(Message message, Claim claim) {
        try {
            Envelope envelope = Envelope.parse(message.body());
            if (envelope instanceof Envelope.Task task) {
                runTask(message, task);
            } else {
                return runJob(message, ((Envelope.Job) envelope).jobId(), claim);
            }
        } catch (MalformedMessageException e) {
            unprocessable(message, e.getMessage());
        } catch (RuntimeException e) {
            notProcessed(message, e);
        }
        return CompletableFuture.completedFuture(null);
    }

    private static void notProcessed(Message message, Throwable error) {
        log.error("Message {} could not be processed; it will be received again: {}", message.messageId(), error.toString(),
                error);
    }

    /** Makes a message visible at once, for another worker to take. */
    void release(Message message) {
        setVisibility(message, Duration.ZERO);
    }

    /** Gives back a message not run, and the request claimed for it, if any, without counting the attempt. */
    void release(Message message, Claim claim) {
        if (claim != null && claim.request() != null) {
            try {
                parts.runs().release(claim.request());
            } catch (RuntimeException e) {
                log.warn("Releasing job request {} failed; its lease will expire: {}", claim.request().id(), e.toString());
            }
        }
        release(message);
    }

    private void runTask(Message message, Envelope.Task task) {
        Optional<TaskHandler<?>> handler = parts.handlers().task(task.taskName());
        if (handler.isEmpty()) {
            unprocessable(message, "no task handler named '" + task.taskName() + "' in this worker; known task names: "
                    + parts.handlers().taskNames());
            return;
        }
        try {
            Tasks.run(parts.tracer(), parts.codec(), handler.get(), task.payloadJson().getBytes(StandardCharsets.UTF_8),
                    task.traceParent());
            parts.deleter().delete(message);
        } catch (PayloadException e) {
            unprocessable(message, e.getMessage());
        } catch (Exception e) {
            int receives = receiveCount(message);
            Duration delay = parts.backoff().delayAfter(receives);
            log.warn("Task '{}' in message {} failed on receive {}; it comes back in {} ms: {}", task.taskName(),
                    message.messageId(), receives, delay.toMillis(), e.toString());
            setVisibility(message, delay);
        }
    }

    /** Claims (unless the batch did) and starts the job; settles its message once the outcome is stored. */
    private CompletableFuture<Void> runJob(Message message, long jobId, Claim claim) {
        CompletableFuture<JobRuns.Run> run = claim == null ? parts.runs().startOnce(jobId, parts.queueUrl())
                : claim.request() != null ? parts.runs().start(claim.request())
                : CompletableFuture.completedFuture(parts.runs().notClaimed(jobId));
        return run.handle((outcome, error) -> {
            if (error != null) {
                notProcessed(message, error instanceof CompletionException ? error.getCause() : error);
                return null;
            }
            // A shutdown may have interrupted the run; the message must still be settled, and the SDK
            // refuses calls on an interrupted thread.
            boolean interrupted = Thread.interrupted();
            try {
                if (outcome.ran()) {
                    settle(message, jobId, outcome);
                } else {
                    settleUnclaimed(message, jobId, outcome.request());
                }
            } catch (RuntimeException e) {
                notProcessed(message, e);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
    }

    /** Called when a job of a type with a concurrency limit has ended here: a place under that limit is free. */
    void onPlaceFreed(Runnable placeFreed) {
        this.placeFreed = placeFreed;
    }

    private void settle(Message message, long jobId, JobRuns.Run run) {
        if (run.request() != null && placeFreed != null && parts.handlers().job(run.request().jobType())
                .map(handler -> handler.policy().maxRunning() > 0 || handler.policy().maxRunningPerKey() > 0).orElse(false)) {
            placeFreed.run();
        }
        switch (run.result()) {
            case SUCCEEDED, CANCELLED -> parts.deleter().delete(message);
            case RETRIED -> setVisibility(message, until(run.request().runAt()));
            case FAILED -> failed(message, jobId);
            case RELEASED -> release(message);
            case LEASE_LOST -> log.warn("Job request {} was taken over by another worker; message {} is left to return",
                    jobId, message.messageId());
        }
    }

    /** The claim was refused: a duplicate, a request still ahead, one that is finished, or none at all. */
    private void settleUnclaimed(Message message, long jobId, JobRequest request) {
        if (request == null) {
            unprocessable(message, "job request " + jobId + " does not exist in " + parts.store().description()
                    + ": the producer stores jobs elsewhere (check that DATABASE_URL is the same for producers and "
                    + "workers), the request was purged, or the message reached the wrong queue");
            return;
        }
        if (!parts.queueUrl().equals(request.handOffTarget())) {
            unprocessable(message, "job request " + jobId + " (" + request.jobType() + ") was dispatched by runner '"
                    + request.runner() + "' to " + (request.handOffTarget() == null ? "no queue" : request.handOffTarget())
                    + ", not to this queue, so it is not run here: the producer uses another store (check that "
                    + "DATABASE_URL is the same for producers and workers) or the message reached the wrong queue");
            return;
        }
        Instant now = Instant.now();
        switch (request.status()) {
            // waiting: its dependencies' last finish hands it off again when it may run
            case SUCCEEDED, CANCELLED, WAITING -> parts.deleter().delete(message);
            case FAILED -> failed(message, jobId);
            case RUNNING -> {
                if (request.lockedUntil() != null && request.lockedUntil().isAfter(now)) {
                    setVisibility(message, until(request.lockedUntil()).plusSeconds(1));
                } else {
                    Recovery.failAbandoned(parts.store());
                    failed(message, jobId);
                }
            }
            case QUEUED -> {
                if (request.runAt().isAfter(now)) {
                    setVisibility(message, until(request.runAt()));
                } else {
                    held(message, request);
                }
            }
        }
    }

    /**
     * Queued and due, yet not claimable: a pause holds it. Receiving its message again and again would
     * spend the queue's receive count, so the message is deleted and the request marked not handed
     * off: the hand-off sweep sends it again once it may run.
     */
    private void held(Message message, JobRequest request) {
        parts.store().clearHandOff(request.id());
        parts.deleter().delete(message);
        log.info("Job request {} ({}) is held (its queue or job type is paused, or its concurrency limit is reached); message {} is deleted and the hand-off"
                + " sweep sends it again once it may run", request.id(), request.jobType(), message.messageId());
    }

    private void failed(Message message, long jobId) {
        if (parts.queue().hasDeadLetterQueue()) {
            log.info("Job request {} has failed; message {} goes to the dead-letter queue after {} receives",
                    jobId, message.messageId(), parts.queue().maxReceiveCount());
            release(message);
        } else {
            parts.deleter().delete(message);
        }
    }

    private void unprocessable(Message message, String reason) {
        if (parts.queue().hasDeadLetterQueue()) {
            log.error("Message {} cannot be processed and is left for the dead-letter queue: {}", message.messageId(), reason);
        } else {
            log.error("Message {} cannot be processed and the queue has no dead-letter queue, so it is deleted: {}",
                    message.messageId(), reason);
            parts.deleter().delete(message);
        }
    }

    private void setVisibility(Message message, Duration delay) {
        long seconds = Math.min((delay.toMillis() + 999) / 1000, SqsSettings.MAX_VISIBILITY.toSeconds());
        try {
            parts.client().changeMessageVisibility(b -> b.queueUrl(parts.queueUrl()).receiptHandle(message.receiptHandle())
                    .visibilityTimeout((int) Math.max(seconds, 0)));
        } catch (SdkException e) {
            log.warn("Could not change the visibility of message {}; it returns after its visibility timeout: {}",
                    message.messageId(), e.getMessage());
        }
    }

    private static Duration until(Instant when) {
        Duration left = Duration.between(Instant.now(), when);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static int receiveCount(Message message) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        return count == null ? 1 : Integer.parseInt(count);
    }
}
