package io.jobrunner.internal;

import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim, run, settle: how every worker runs a job, whatever brought it the id (a local queue, an SQS
 * message, a Lambda event). A claim is conditional, so a duplicate, a request not yet due or one
 * held by another lease is returned as it stands and not run. Thread-safe; one per worker.
 */
public final class JobRuns implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobRuns.class);

    /**
     * How one run ended.
     *
     * @param result  the attempt's outcome, or {@code null} when the claim was refused and nothing ran
     * @param request the request as it stands after, or {@code null} when no request has the id
     * @param next    the job its success handed its place to, claimed for this worker ({@link #start(JobRequest, ClaimFilter)}), or {@code null}
     */
    public record Run(JobListener.Outcome result, JobRequest request, JobRequest next) {

        public Run(JobListener.Outcome result, JobRequest request) {
            this(result, request, null);
        }

        public boolean ran() {
            return result != null;
        }

        /**
         * Not run although queued and due: a rule of the store holds it (its queue or job type is
         * paused, or its type's concurrency limit is reached). Whoever was handed it lets it go: the
         * hand-off sweep hands it off again once the rule lets it run, and workers that claim from the
         * store take it then.
         */
        public boolean held() {
            return !ran() && request != null && request.status() == JobStatus.QUEUED
                    && !request.runAt().isAfter(Instant.now());
        }
    }

    private final RunnerContext context;
    private final String owner;
    private volatile JobExecutor executor;

    /** @param owner the lease owner this worker claims as ({@link WorkerIds#next(String)}) */
    public JobRuns(RunnerContext context, String owner) {
        this.context = context;
        this.owner = owner;
    }

    public String owner() {
        return owner;
    }

    /**
     * Claims the request and runs one attempt.
     *
     * @param handOffTarget claim only a request handed off to this target (a queue), or {@code null} for any
     * @param deadline      when the platform stops the run, or {@code null}
     */
    public Run runOnce(long id, String handOffTarget, Instant deadline) {
        JobRequestStore store = context.store();
        Optional<JobRequest> claimed = handOffTarget == null
                ? store.claim(id, owner, context.config().leaseTime())
                : store.claim(id, handOffTarget, owner, context.config().leaseTime());
        if (claimed.isEmpty()) {
            return notClaimed(id);
        }
        return run(claimed.get(), deadline);
    }

    /**
     * Claims the request handed off to {@code handOffTarget} and {@linkplain #start starts} one
     * attempt on this thread; a refused claim completes at once with nothing run.
     */
    public CompletableFuture<Run> startOnce(long id, String handOffTarget) {
        Optional<JobRequest> claimed = context.store().claim(id, handOffTarget, owner, context.config().leaseTime());
        return claimed.isEmpty() ? CompletableFuture.completedFuture(notClaimed(id)) : start(claimed.get());
    }

    /** Runs one attempt of a request this worker claimed, and waits until its outcome is stored. */
    private Run run(JobRequest claimed, Instant deadline) {
        return ran(claimed.id(), executor().execute(claimed, deadline));
    }

    /** The run as it ended: the stored request, or — when the outcome was not recorded (lease lost) — the request as it stands. */
    private Run ran(long id, ExecutionOutcome outcome) {
        return new Run(outcome.result(), outcome.request() != null ? outcome.request()
                : context.store().find(id).orElse(null), outcome.next());
    }

    /**
     * Runs one attempt of a request this worker claimed a while ago ({@link #claimNext}) on this
     * thread, which goes on once the handler returned; the future completes when the outcome is
     * stored. A request that waited so long after its claim that half its lease is gone has the lease
     * renewed first, and is not run when the renewal finds the lease lost to another worker (the
     * run's result is then {@code null}): a buffered claim never runs a second time beside a takeover.
     */
    public CompletableFuture<Run> start(JobRequest claimed) {
        return start(claimed, null);
    }

    /**
     * {@link #start(JobRequest)} for a worker claiming with {@code successors}: a success may hand its
     * place under a concurrency limit to the next job of its type ({@link Run#next()}), for this worker
     * to run at once.
     */
    public CompletableFuture<Run> start(JobRequest claimed, ClaimFilter successors) {
        JobRequest current = claimed;
        Instant halfGone = Instant.now().plus(context.config().leaseTime().dividedBy(2));
        if (claimed.lockedUntil() != null && claimed.lockedUntil().isBefore(halfGone)) {
            Optional<JobRequest> renewed = context.store().heartbeat(Lease.of(claimed).orElseThrow(), context.config().leaseTime());
            if (renewed.isEmpty()) {
                log.warn("Job request {} ({}) was not run: its lease expired while it waited for a free slot, and another"
                        + " worker may have taken it over. Lower JOB_RUNNER_CLAIM_BATCH or raise JOB_RUNNER_LEASE_TIME",
                        claimed.id(), claimed.jobType());
                return CompletableFuture.completedFuture(notClaimed(claimed.id()));
            }
            current = renewed.get();
        }
        long id = current.id();
        return executor().start(current, null, successors).thenApply(outcome -> ran(id, outcome));
    }

    /**
     * Claims those of the requests handed off to {@code handOffTarget} that are claimable — one
     * statement where the store can — for {@link #start}; the others are left as they are.
     */
    public List<JobRequest> claimAll(Collection<Long> ids, String handOffTarget) {
        return context.store().claimAll(ids, handOffTarget, owner, context.config().leaseTime());
    }

    /** The run of a request whose claim was refused: nothing ran; the request as it stands. */
    public Run notClaimed(long id) {
        return new Run(null, context.store().find(id).orElse(null));
    }

    /** Claims up to {@code limit} due requests matching the filter, for {@link #start}. */
    public List<JobRequest> claimNext(ClaimFilter filter, int limit) {
        return context.store().claimNext(filter, owner, context.config().leaseTime(), limit);
    }

    /** Claims those of the announced requests that are due and match the filter, by id, for {@link #start}. */
    public List<JobRequest> claimQueued(Collection<Long> ids, ClaimFilter filter) {
        return context.store().claimQueued(ids, filter, owner, context.config().leaseTime());
    }

    /** Gives a request this worker claimed but will not run back to the queue, its attempt not counted. */
    public void release(JobRequest claimed) {
        Lease.of(claimed).ifPresent(lease -> context.store().release(lease));
    }

    /** From now on, a run stopped by an interrupt is released to the queue rather than counted as failed. */
    public void beginShutdown() {
        JobExecutor current = executor;
        if (current != null) {
            current.beginShutdown();
        }
    }

    private JobExecutor executor() {
        JobExecutor current = executor;
        if (current == null) {
            synchronized (this) {
                if (executor == null) {
                    executor = JobExecutor.forContext(context);
                }
                current = executor;
            }
        }
        return current;
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.close();
        }
    }
}
