package io.jobrunner.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.internal.Envelope;
import io.jobrunner.internal.JobRuns;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous invocation carrying one envelope. A task's failure is thrown, so Lambda's own
 * retries and on-failure destination take over (tasks have no stored attempts). A job's failures
 * are recorded on its request and never thrown: a retry due within the inline-wait limit runs in
 * this same invocation, a later one is left queued for the hand-off sweep. Only infrastructure
 * errors (the store unreachable) escape, for Lambda to retry the event.
 */
final class EnvelopeEvent {

    private static final Logger log = LoggerFactory.getLogger(EnvelopeEvent.class);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    private final FunctionRuntime runtime;

    EnvelopeEvent(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    JsonNode handle(Envelope envelope, Instant deadline) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        if (envelope instanceof Envelope.Task task) {
            runtime.runTask(task);
            return result.put("task", task.taskName()).put("status", "done");
        }
        long jobId = ((Envelope.Job) envelope).jobId();
        JobRequest request = runJob(jobId, deadline);
        runtime.sweepIfDue();
        return result.put("jobId", jobId).put("status", request.status().dbValue()).put("attempts", request.attempts());
    }

    private JobRequest runJob(long jobId, Instant deadline) {
        while (true) {
            JobRuns.Run run = runtime.runOwnJob(jobId, deadline);
            JobRequest request = run.request();
            if (run.held()) {
                // held by its type's rate limit: when the window moves on soon enough, wait for it here
                Optional<Duration> windowMoves = io.jobrunner.JobLimit.rateReached(runtime.store().limits(), request.jobType())
                        .flatMap(limit -> inlineWait(limit.nextStartAt(), deadline));
                if (windowMoves.isPresent()) {
                    sleep(windowMoves.get());
                    continue;
                }
                runtime.store().clearHandOff(jobId);
                log.info("Job request {} ({}) is held (its queue or job type is paused, or a limit of its type is reached); the hand-off sweep invokes"
                        + " the function again once it may run", jobId, request.jobType());
                return request;
            }
            boolean retryOrEarly = run.ran() ? run.result() == JobListener.Outcome.RETRIED
                    : request.status() == JobStatus.QUEUED;
            if (!retryOrEarly) {
                if (!run.ran()) {
                    log.info("Job request {} is {}; this invocation does not run it", jobId, request.status().dbValue());
                }
                return request;
            }
            Optional<Duration> wait = inlineWait(request.runAt(), deadline);
            if (wait.isEmpty()) {
                runtime.store().clearHandOff(jobId);
                log.info("Job request {} is due at {}; left for the hand-off sweep", jobId, request.runAt());
                return request;
            }
            sleep(wait.get());
        }
    }

    /** How long to wait for a run-at in this invocation, if it is close enough and time allows. */
    private Optional<Duration> inlineWait(Instant runAt, Instant deadline) {
        Duration wait = Duration.between(Instant.now(), runAt);
        if (wait.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        Optional<Duration> limit = runtime.lambdaSettings().map(LambdaSettings::maxInlineWait);
        boolean closeEnough = wait.compareTo(limit.orElse(Duration.ofSeconds(10))) <= 0;
        boolean timeAllows = Instant.now().plus(wait).plus(MARGIN).isBefore(deadline);
        return closeEnough && timeAllows ? Optional.of(wait) : Optional.empty();
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis() + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a retry", e);
        }
    }
}
