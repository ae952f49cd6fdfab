package io.jobrunner.spi;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.Lease;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed attempt of a job and records its outcome: the piece every backend shares, so a
 * job behaves the same wherever it runs. While the handler runs, a heartbeat extends the lease
 * every third of the lease time and picks up cancel requests. Thread-safe; one per runner or worker.
 */
public final class JobExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);
    private static final int MAX_ERROR_LENGTH = 4000;

    private final JobRequestStore store;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final RetryBackoff backoff;
    private final Duration leaseTime;
    private final ScheduledExecutorService heartbeats;
    private volatile boolean shuttingDown;

    public JobExecutor(JobRequestStore store, HandlerRegistry handlers, PayloadCodec codec, RetryBackoff backoff,
                       Duration leaseTime) {
        this.store = store;
        this.handlers = handlers;
        this.codec = codec;
        this.backoff = backoff;
        this.leaseTime = leaseTime;
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("jobrunner-lease-heartbeat-", true));
    }

    public static JobExecutor forContext(RunnerContext context) {
        return new JobExecutor(context.store(), context.handlers(), context.codec(), context.retryBackoff(),
                context.leaseTime());
    }

    public JobRequestStore store() {
        return store;
    }

    public Duration leaseTime() {
        return leaseTime;
    }

    /**
     * Runs the handler for a request this worker has just claimed, and records the outcome.
     *
     * @param claimed  the request as the claim returned it (status running, lease held)
     * @param deadline when the platform stops the run, or {@code null} when nothing bounds it
     */
    public ExecutionOutcome execute(JobRequest claimed, Instant deadline) {
        Lease lease = claimed.lease().orElseThrow(() -> new IllegalArgumentException(
                "Job request " + claimed.id() + " is " + claimed.status().dbValue() + ", not a claimed running request"));
        RunningJob running = new RunningJob(claimed, lease, store, deadline);
        long period = Math.max(leaseTime.toMillis() / 3, 10);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> running.heartbeat(leaseTime),
                period, period, TimeUnit.MILLISECONDS);
        try {
            return runAndRecord(claimed, lease, running);
        } finally {
            heartbeat.cancel(false);
        }
    }

    private ExecutionOutcome runAndRecord(JobRequest claimed, Lease lease, RunningJob running) {
        Optional<JobHandler<?>> handler = handlers.job(claimed.jobType());
        if (handler.isEmpty()) {
            String error = "No job handler named '" + claimed.jobType() + "' in this worker; known job types: "
                    + (handlers.jobTypes().isEmpty() ? "none" : String.join(", ", handlers.jobTypes()))
                    + ". Deploy the handler to the workers, then retry the request";
            return recorded(ExecutionOutcome.Result.FAILED, store.fail(lease, error));
        }
        Object result = null;
        Throwable failure = null;
        try {
            result = invoke(handler.get(), claimed, running);
        } catch (PayloadException e) {
            return recorded(ExecutionOutcome.Result.FAILED, store.fail(lease, describe(e)));
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            failure = e;
        }
        // The outcome must reach the store even when the run was interrupted (shutdown): record it with
        // the interrupt flag cleared, then restore the flag for the caller.
        boolean interrupted = Thread.interrupted() || failure instanceof InterruptedException;
        try {
            return failure != null ? recordFailure(claimed, lease, running, failure) : recordSuccess(claimed, lease, running, result);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ExecutionOutcome recordSuccess(JobRequest claimed, Lease lease, RunningJob running, Object result) {
        if (running.isCancelled()) {
            return recorded(ExecutionOutcome.Result.CANCELLED, store.markCancelled(lease, "cancelled while running"));
        }
        String resultJson;
        try {
            resultJson = result == null ? null : codec.encodeToString(claimed.jobType(), result);
        } catch (PayloadException e) {
            return recorded(ExecutionOutcome.Result.FAILED, store.fail(lease, "The handler's result could not be stored: "
                    + e.getMessage()));
        }
        return recorded(ExecutionOutcome.Result.SUCCEEDED, store.succeed(lease, resultJson, running.lastMessage()));
    }

    private <P> Object invoke(JobHandler<P> handler, JobRequest claimed, RunningJob running) throws Exception {
        P payload = codec.decode(claimed.jobType(), claimed.payloadJson(), handler.payloadType());
        return handler.run(payload, running);
    }

    private ExecutionOutcome recordFailure(JobRequest claimed, Lease lease, RunningJob running, Throwable error) {
        if (shuttingDown && error instanceof InterruptedException) {
            log.info("Job {} ({}) was interrupted by shutdown; released to the queue", claimed.id(), claimed.jobType());
            return recorded(ExecutionOutcome.Result.RELEASED, store.release(lease));
        }
        if (running.isCancelled()) {
            return recorded(ExecutionOutcome.Result.CANCELLED, store.markCancelled(lease,
                    "cancelled while running; the handler ended with " + error));
        }
        String described = describe(error);
        if (claimed.hasAttemptsLeft()) {
            Duration delay = backoff.delayAfter(claimed.attempts());
            log.warn("Job {} ({}) attempt {}/{} failed, retrying in {} ms: {}", claimed.id(), claimed.jobType(),
                    claimed.attempts(), claimed.maxAttempts(), delay.toMillis(), error.toString());
            return recorded(ExecutionOutcome.Result.RETRY_SCHEDULED,
                    store.requeue(lease, Instant.now().plus(delay), described));
        }
        log.error("Job {} ({}) failed on its last attempt {}/{}", claimed.id(), claimed.jobType(),
                claimed.attempts(), claimed.maxAttempts(), error);
        return recorded(ExecutionOutcome.Result.FAILED, store.fail(lease, described));
    }

    private ExecutionOutcome recorded(ExecutionOutcome.Result result, Optional<JobRequest> stored) {
        if (stored.isEmpty()) {
            log.warn("Outcome {} was not recorded: the lease was lost (it expired and another worker claimed the request)",
                    result);
            return new ExecutionOutcome(ExecutionOutcome.Result.LEASE_LOST, null);
        }
        return new ExecutionOutcome(result, stored.get());
    }

    /** The error as stored on the request: its class and message first, then the stack, truncated. */
    static String describe(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        String full = text.toString();
        return full.length() <= MAX_ERROR_LENGTH ? full : full.substring(0, MAX_ERROR_LENGTH) + "\n\t…";
    }

    /**
     * From now on, a run that ends in an {@link InterruptedException} was stopped by the shutdown, not
     * by its own failure: its request is released back to the queue without counting the attempt.
     */
    public void beginShutdown() {
        shuttingDown = true;
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
    }
}
