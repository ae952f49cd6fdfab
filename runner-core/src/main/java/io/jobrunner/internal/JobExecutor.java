package io.jobrunner.internal;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobHandler;
import io.jobrunner.JobListener;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobTimeoutException;
import io.jobrunner.JobTracer;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import io.jobrunner.Setting;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.SuccessAndNext;
import io.jobrunner.spi.store.Lease;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** How long a timed-out handler may take to stop after its interrupt before the timeout is recorded anyway. */
    static final Duration TIMEOUT_GRACE = Duration.ofSeconds(1);

    private final JobRequestStore store;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final RetryBackoff backoff;
    private final Duration leaseTime;
    private final long maxResultBytes;
    private final ScheduledExecutorService heartbeats;
    private final SuccessBatcher successes;
    private final JobListener listener;
    private final JobTracer tracer;
    private volatile boolean shuttingDown;

    /** @param listener told of each attempt, or {@code null} when nothing listens (nothing is measured then) */
    private JobExecutor(JobRequestStore store, HandlerRegistry handlers, PayloadCodec codec, RetryBackoff backoff,
                        Duration leaseTime, long maxResultBytes, JobListener listener, JobTracer tracer, int isolatedJvms) {
        this.isolatedJvms = isolatedJvms;
        this.maxResultBytes = maxResultBytes;
        this.tracer = tracer;
        this.store = store;
        this.listener = listener;
        this.handlers = handlers;
        this.codec = codec;
        this.backoff = backoff;
        this.leaseTime = leaseTime;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                NamedThreads.factory("jobrunner-lease-heartbeat-", true));
        // Most jobs end long before their first heartbeat: drop the cancelled ones rather than keep them queued.
        timer.setRemoveOnCancelPolicy(true);
        this.heartbeats = timer;
        this.successes = new SuccessBatcher(store);
    }

    public static JobExecutor forContext(RunnerContext context) {
        JobRunnerConfig config = context.config();
        return new JobExecutor(context.store(), config.handlers(), config.codec(), RetryBackoff.of(config),
                config.leaseTime(), config.maxResultBytes(), config.hasListeners() ? config.listener() : null,
                config.tracer(), config.settings().integer(io.jobrunner.Setting.ISOLATED_JVMS));
    }

    private final int isolatedJvms;
    /** Guarded by this executor's monitor. */
    private IsolatedJvms isolated;

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
        return SuccessBatcher.awaitUninterruptibly(start(claimed, deadline));
    }

    /**
     * Runs the handler on this thread like {@link #execute}, but lets the thread go on once the
     * handler returned: a success is written with the next group of successes, and the future
     * completes when it is stored. Every other outcome is stored before this returns.
     */
    public CompletableFuture<ExecutionOutcome> start(JobRequest claimed, Instant deadline) {
        return start(claimed, deadline, null);
    }

    /**
     * {@link #start(JobRequest, Instant)} for a worker that claims from the store with {@code successors}:
     * the success of a job of a type with a concurrency limit hands its place to the next due job of
     * the type this filter matches, claimed in the same statement ({@link ExecutionOutcome#next()}),
     * for the worker to run next.
     */
    public CompletableFuture<ExecutionOutcome> start(JobRequest claimed, Instant deadline, ClaimFilter successors) {
        if (listener == null) {
            return attempt(claimed, deadline, successors);
        }
        Instant began = Instant.now();
        Instant due = claimed.runAt() != null && claimed.runAt().isAfter(claimed.createdAt()) ? claimed.runAt()
                : claimed.createdAt();
        listener.attemptStarted(claimed, due.isBefore(began) ? Duration.between(due, began) : Duration.ZERO);
        return attempt(claimed, deadline, successors).whenComplete((outcome, error) -> {
            if (outcome != null) {
                listener.attemptEnded(claimed, outcome.result(), timedOut(claimed, outcome),
                        Duration.between(began, Instant.now()));
            }
        });
    }

    /** True when the attempt's history entry says it timed out. */
    private static boolean timedOut(JobRequest claimed, ExecutionOutcome outcome) {
        if (outcome.request() == null || outcome.request().history().isEmpty()) {
            return false;
        }
        JobAttempt last = outcome.request().history().get(outcome.request().history().size() - 1);
        return last.attempt() == claimed.attempts() && last.outcome() == JobAttempt.Outcome.TIMED_OUT;
    }

    private CompletableFuture<ExecutionOutcome> attempt(JobRequest claimed, Instant deadline, ClaimFilter successors) {
        Lease lease = Lease.of(claimed).orElseThrow(() -> new IllegalArgumentException(
                "Job request " + claimed.id() + " is " + claimed.status().dbValue() + ", not a claimed running request"));
        Optional<JobHandler<?>> handler = handlers.job(claimed.jobType());
        if (handler.isEmpty()) {
            String error = "No job handler named '" + claimed.jobType() + "' in this worker; known job types: "
                    + (handlers.jobTypes().isEmpty() ? "none" : String.join(", ", handlers.jobTypes()))
                    + ". Deploy the handler to the workers, then retry the request";
            return done(recorded(JobListener.Outcome.FAILED, store.fail(lease, error)));
        }
        JobPolicy policy = handler.get().policy();
        if (!policy.idempotent() && lastAttemptAbandoned(claimed)) {
            return done(recorded(JobListener.Outcome.FAILED, store.fail(lease, JobAttempt.Outcome.ABANDONED,
                    "Not run again: attempt " + (claimed.attempts() - 1) + " was abandoned mid-run (its worker died or "
                            + "stopped), and job type '" + claimed.jobType() + "' is not declared idempotent, so it "
                            + "may already have done its work. Check, then retry it by hand if it must run")));
        }
        RunningJob running = new RunningJob(claimed, lease, store, earliest(deadline, policy.timeout()), leaseTime);
        Attempt attempt = new Attempt(claimed, lease, running, policy, Thread.currentThread(), successors);
        long period = Math.max(leaseTime.toMillis() / 3, 10);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> {
            if (attempt.holdsLease() && !running.heartbeat(leaseTime)) {
                attempt.leaseLost();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> watchdog = policy.timeout() == null ? null
                : heartbeats.schedule(attempt::timeOut, policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            return attempt.run(handler.get());
        } finally {
            heartbeat.cancel(false);
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
    }

    /** The platform's deadline or the policy's timeout from now, whichever comes first; {@code null} for neither. */
    private static Instant earliest(Instant deadline, Duration timeout) {
        if (timeout == null) {
            return deadline;
        }
        Instant timesOut = Instant.now().plus(timeout);
        return deadline == null || timesOut.isBefore(deadline) ? timesOut : deadline;
    }

    /** True when the attempt before this one ended with its lease expiring mid-run. */
    private static boolean lastAttemptAbandoned(JobRequest claimed) {
        if (claimed.attempts() <= 1) {
            return false;
        }
        if (claimed.history().isEmpty()) {
            return true;
        }
        JobAttempt last = claimed.history().get(claimed.history().size() - 1);
        return last.outcome() == JobAttempt.Outcome.ABANDONED && last.attempt() == claimed.attempts() - 1;
    }

    /**
     * One run of a handler, raced by its timeout and by the loss of its lease. Whichever ends first
     * decides the outcome: the handler returning; the watchdog firing, which interrupts the handler
     * and records the timeout once the handler has returned — or after {@link #TIMEOUT_GRACE} if it
     * ignores the interrupt; or the heartbeat finding the lease lost, which interrupts the handler
     * (it already sees {@code isCancelled()}) and records nothing, the request being another
     * worker's. Until a timeout is recorded the lease stays held, so a retry cannot start while a
     * handler that stops on interrupt is still running; a late result is never recorded.
     */
    /** Why an attempt's handler was stopped before it returned. */
    private enum Stop {
        TIMED_OUT,
        LEASE_LOST
    }

    private final class Attempt {
        private final JobRequest claimed;
        private final Lease lease;
        private final RunningJob running;
        private final JobPolicy policy;
        private final Thread worker;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final CountDownLatch interruptSent = new CountDownLatch(1);
        private final AtomicBoolean timeoutTaken = new AtomicBoolean();
        /** Why the handler was interrupted before it returned: set with {@link #ended}, before the interrupt. */
        private volatile Stop stoppedFor;
        private final CompletableFuture<ExecutionOutcome> timedOut = new CompletableFuture<>();

        private final ClaimFilter successors;

        Attempt(JobRequest claimed, Lease lease, RunningJob running, JobPolicy policy, Thread worker, ClaimFilter successors) {
            this.successors = successors;
            this.claimed = claimed;
            this.lease = lease;
            this.running = running;
            this.policy = policy;
            this.worker = worker;
        }

        /** Runs the handler with the job in the MDC, as a run span continuing the trace of its dispatch. */
        CompletableFuture<ExecutionOutcome> run(JobHandler<?> handler) {
            try (JobMdc.Scope mdc = JobMdc.job(claimed.id(), claimed.jobType(), lease.attempt());
                 JobTracer.Span span = tracer.run(JobTracer.Work.JOB, claimed.jobType(), claimed.id(), lease.attempt(),
                         claimed.traceParent())) {
                return runInScope(handler, span);
            }
        }

        private CompletableFuture<ExecutionOutcome> runInScope(JobHandler<?> handler, JobTracer.Span span) {
            Object result = null;
            Throwable failure = null;
            try {
                result = invoke(handler, claimed, running);
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                failure = e;
                span.failed(e);
            }
            running.writeLog();
            if (!ended.compareAndSet(false, true)) {
                return done(afterStop(failure));
            }
            // The outcome must reach the store even when the run was interrupted (shutdown): record it with
            // the interrupt flag cleared, then restore the flag for the caller.
            boolean interrupted = Thread.interrupted() || failure instanceof InterruptedException;
            try {
                if (failure instanceof PayloadException) {
                    return done(recorded(JobListener.Outcome.FAILED, store.fail(lease, describe(failure))));
                }
                return failure != null ? done(recordFailure(failure)) : recordSuccess(result);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * The handler returned after it was stopped (timed out, or its lease lost): drop the interrupt and
         * the late result; record the timeout, or nothing when the lease is another worker's.
         */
        private ExecutionOutcome afterStop(Throwable failure) {
            boolean sent = false;
            while (!sent) {
                try {
                    interruptSent.await();
                    sent = true;
                } catch (InterruptedException e) {
                    // the stopping interrupt, arriving now: keep waiting until it is sent
                }
            }
            Thread.interrupted();
            String late = failure == null ? "result" : "error " + failure;
            if (stoppedFor == Stop.LEASE_LOST) {
                log.info("Job {} ({}) attempt {} stopped after its lease was lost; its late {} is not stored",
                        claimed.id(), claimed.jobType(), lease.attempt(), late);
                return new ExecutionOutcome(JobListener.Outcome.LEASE_LOST, null);
            }
            recordTimeout();
            log.info("Job {} ({}) attempt {} ended after its timeout; its late {} is ignored", claimed.id(),
                    claimed.jobType(), lease.attempt(), late);
            return timedOut.join();
        }

        /** True until a timeout is recorded or the lease is lost: the heartbeat keeps the lease while the handler may still run. */
        boolean holdsLease() {
            return !timedOut.isDone() && stoppedFor != Stop.LEASE_LOST;
        }

        /** Called by the watchdog when the policy's timeout passes. */
        void timeOut() {
            if (stop(Stop.TIMED_OUT)) {
                heartbeats.schedule(this::recordTimeout, TIMEOUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** Called by the heartbeat when the lease is lost: the handler, already told, is interrupted. */
        void leaseLost() {
            stop(Stop.LEASE_LOST);
        }

        /** Interrupts the handler while it still runs; false when it had already returned. */
        private boolean stop(Stop why) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            stoppedFor = why;
            worker.interrupt();
            interruptSent.countDown();
            return true;
        }

        /** Records the timeout, once: on the worker's thread when the handler returns, or by the grace timer. */
        private void recordTimeout() {
            if (!timeoutTaken.compareAndSet(false, true)) {
                return;
            }
            ExecutionOutcome outcome;
            running.writeLog();
            try {
                JobTimeoutException error = new JobTimeoutException(claimed.id(), claimed.jobType(), lease.attempt(),
                        policy.timeout());
                outcome = retryOrFail(error, JobAttempt.Outcome.TIMED_OUT);
            } catch (RuntimeException e) {
                log.warn("Could not record the timeout of job {}: {}", claimed.id(), e.toString());
                outcome = new ExecutionOutcome(JobListener.Outcome.LEASE_LOST, null);
            }
            timedOut.complete(outcome);
        }

        private CompletableFuture<ExecutionOutcome> recordSuccess(Object result) {
            if (running.isCancelled()) {
                return done(recorded(JobListener.Outcome.CANCELLED, store.markCancelled(lease, "cancelled while running")));
            }
            String resultJson;
            try {
                resultJson = result == null ? null : codec.encodeToString(claimed.jobType(), result);
            } catch (PayloadException e) {
                return done(recorded(JobListener.Outcome.FAILED, store.fail(lease,
                        "The handler's result could not be stored: " + e.getMessage())));
            }
            if (resultJson != null && !PayloadCodec.fitsIn(resultJson, maxResultBytes)) {
                return done(recorded(JobListener.Outcome.FAILED, store.fail(lease, "The handler's result is "
                        + resultJson.getBytes(StandardCharsets.UTF_8).length + " bytes as JSON, over the limit of "
                        + maxResultBytes + " bytes (" + Setting.MAX_RESULT_BYTES.variable() + "); it was not stored."
                        + " Store large results elsewhere and return a reference to them, or raise the limit")));
            }
            if (successors != null && passesPlace(policy)) {
                SuccessAndNext stored = store.succeedAndTakeNext(lease, resultJson, running.lastMessage(), successors,
                        lease.owner(), leaseTime);
                ExecutionOutcome outcome = recorded(JobListener.Outcome.SUCCEEDED, stored.succeeded());
                return done(new ExecutionOutcome(outcome.result(), outcome.request(), stored.next().orElse(null)));
            }
            // A limited type's end frees a place a held job waits for: written at once, not gathered.
            CompletableFuture<Optional<JobRequest>> stored = policy.limited()
                    ? successes.submitNow(lease, resultJson, running.lastMessage())
                    : successes.submit(lease, resultJson, running.lastMessage());
            return stored.thenApply(request -> recorded(JobListener.Outcome.SUCCEEDED, request));
        }

        private ExecutionOutcome recordFailure(Throwable error) {
            if (shuttingDown && error instanceof InterruptedException) {
                log.info("Job {} ({}) was interrupted by shutdown; released to the queue", claimed.id(), claimed.jobType());
                return recorded(JobListener.Outcome.RELEASED, store.release(lease));
            }
            if (running.isCancelled()) {
                return recorded(JobListener.Outcome.CANCELLED, store.markCancelled(lease,
                        "cancelled while running; the handler ended with " + error));
            }
            return retryOrFail(error, JobAttempt.Outcome.FAILED);
        }

        private ExecutionOutcome retryOrFail(Throwable error, JobAttempt.Outcome outcome) {
            String described = describe(error);
            if (claimed.hasAttemptsLeft() && policy.retries(error)) {
                Duration delay = backoffFor(policy).delayAfter(claimed.attempts());
                log.warn("Job {} ({}) attempt {}/{} {}, retrying in {} ms: {}", claimed.id(), claimed.jobType(),
                        claimed.attempts(), claimed.maxAttempts(), outcome.dbValue(), delay.toMillis(), error.toString());
                return recorded(JobListener.Outcome.RETRIED,
                        store.requeue(lease, Instant.now().plus(delay), outcome, described));
            }
            log.error("Job {} ({}) attempt {}/{} {}; {}", claimed.id(), claimed.jobType(), claimed.attempts(),
                    claimed.maxAttempts(), outcome.dbValue(), whyNoRetry(error), error);
            return recorded(JobListener.Outcome.FAILED, store.fail(lease, outcome, described));
        }

        private String whyNoRetry(Throwable error) {
            if (!policy.idempotent()) {
                return "not retried: the job type is not declared idempotent";
            }
            if (!policy.retries(error)) {
                return "not retried: its policy does not retry " + error.getClass().getName();
            }
            return "no attempts left";
        }
    }

    private RetryBackoff backoffFor(JobPolicy policy) {
        if (policy.backoffBase() == null && policy.backoffMax() == null) {
            return backoff;
        }
        Duration base = policy.backoffBase() != null ? policy.backoffBase() : backoff.base();
        Duration max = policy.backoffMax() != null ? policy.backoffMax() : backoff.max();
        return new RetryBackoff(base, max.compareTo(base) < 0 ? base : max);
    }

    private <P> Object invoke(JobHandler<P> handler, JobRequest claimed, RunningJob running) throws Exception {
        P payload = codec.decode(claimed.jobType(), claimed.payloadJson(), handler.payloadType());
        if (handler.policy().isolation() != null) {
            return isolated().run(handler, claimed, running.attempt(), running);
        }
        return handler.run(payload, running);
    }

    /** A type whose ending job may hand its place to the next: a concurrency limit, and no rate limit to count starts by. */
    private static boolean passesPlace(JobPolicy policy) {
        return (policy.maxRunning() > 0 || policy.maxRunningPerKey() > 0) && policy.rateLimit() == null
                && policy.rateLimitPerKey() == null;
    }

    /** The child JVMs of isolated jobs, started on first need. */
    private synchronized IsolatedJvms isolated() {
        if (isolated == null) {
            isolated = new IsolatedJvms(isolatedJvms);
        }
        return isolated;
    }

    private static CompletableFuture<ExecutionOutcome> done(ExecutionOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    private ExecutionOutcome recorded(JobListener.Outcome result, Optional<JobRequest> stored) {
        if (stored.isEmpty()) {
            log.warn("Outcome {} was not recorded: the lease was lost (it expired and another worker claimed the request)",
                    result);
            return new ExecutionOutcome(JobListener.Outcome.LEASE_LOST, null);
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
        synchronized (this) {
            if (isolated != null) {
                isolated.close();
            }
        }
    }
}
