package io.jobrunner.spi.store;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobContext;
import io.jobrunner.JobCounts;
import io.jobrunner.JobLimit;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import io.jobrunner.ScheduledJob;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where {@link JobRequest}s live: the service a store implementation provides to runners and
 * workers (claims, lease transitions, the hand-off outbox, recovery, schedules). Applications do
 * not call it; they read and act through {@link io.jobrunner.JobRequests}. Implementations are thread-safe, and safe to share between
 * processes where their storage is shared (PostgreSQL).
 *
 * <p>Every transition is conditional. A method that changes a request returns it as changed, or
 * {@link Optional#empty()} when the request was not in the state the transition needs: a lost
 * race, an expired and re-claimed lease, an already finished request. Such an outcome is normal
 * and never an exception; exceptions ({@link JobStoreException}) mean the store itself failed.
 *
 * <p>Transitions out of {@code running} take the {@link Lease} the claim returned, so only the
 * worker running the current attempt can finish it.
 */
public interface JobRequestStore extends AutoCloseable {

    /**
     * Stores a new request as {@code queued}. With a dedup key already stored: a request that is
     * queued, running or succeeded is returned as it is; one that failed or was cancelled is queued
     * again through {@link #retry(long)} (its stored payload runs, not the new one).
     */
    InsertResult insert(NewJobRequest request);

    /**
     * {@link #insert(NewJobRequest)} for many requests, in order, with the same dedup semantics
     * (also between requests of the list: a key's second occurrence finds the first). All are
     * stored or, when this throws, none.
     */
    default List<InsertResult> insertAll(List<NewJobRequest> requests) {
        List<InsertResult> results = new ArrayList<>(requests.size());
        for (NewJobRequest request : requests) {
            results.add(insert(request));
        }
        return results;
    }

    /**
     * {@link #insert(NewJobRequest)} through the caller's JDBC connection, inside its open
     * transaction: the request commits or rolls back with the caller's own changes. The connection
     * must reach the database this store uses.
     *
     * @throws JobStoreException when this store cannot join a database transaction (the embedded
     *                           store), or the statement fails
     */
    default InsertResult insert(Connection connection, NewJobRequest request) {
        throw new JobStoreException(getClass().getSimpleName() + " keeps job requests outside your database, so "
                + "a job cannot be dispatched inside your transaction. Store jobs in PostgreSQL (set DATABASE_URL, or "
                + "JOB_RUNNER_STORE=postgres) to dispatch them transactionally");
    }

    /**
     * Stores a request that is due now and has no dedup key already claimed by {@code owner} —
     * running, attempt 1, its lease taken — in one step, for a process that runs the job it
     * dispatches: the claim costs no second statement. Any other request is stored as by
     * {@link #insert(NewJobRequest)}, unclaimed; look at the returned request's status. This default
     * inserts, then claims by id.
     */
    default InsertResult insertClaimed(NewJobRequest request, String owner, Duration leaseTime) {
        InsertResult inserted = insert(request);
        if (!inserted.created() || request.dedupKey() != null || request.runAt() != null) {
            return inserted;
        }
        return claim(inserted.request().id(), owner, leaseTime)
                .map(claimed -> new InsertResult(claimed, InsertResult.Outcome.CREATED)).orElse(inserted);
    }

    /**
     * A failed or cancelled request back to {@code queued}, due now and not handed off, keeping its
     * history (attempts made, last error) and granting it as many attempts again as it had.
     * Empty when it is not failed or cancelled.
     */
    Optional<JobRequest> retry(long id);

    Optional<JobRequest> find(long id);

    Optional<JobRequest> findByDedupKey(String dedupKey);

    /** One page of requests matching the query, in id order. */
    List<JobRequest> list(JobQuery query);

    /**
     * Appends lines to a request's log, numbered after those it has, then drops its oldest lines
     * beyond {@code keep}. Lines of an unknown request are not kept.
     */
    void appendLog(long requestId, List<JobLogLine> lines, int keep);

    /** The request's log, oldest line first, with how many lines were dropped. */
    JobLog log(long requestId);

    /** How many requests match the query's filters (its page aside). This default pages through {@link #list}. */
    default long count(JobQuery query) {
        long count = 0;
        JobQuery page = query.after(0).limit(JobQuery.MAX_LIMIT);
        List<JobRequest> found;
        do {
            found = list(page);
            count += found.size();
            if (!found.isEmpty()) {
                page = page.after(found.get(found.size() - 1).id());
            }
        } while (found.size() == JobQuery.MAX_LIMIT);
        return count;
    }

    /** How many requests there are, by job type and status. */
    JobCounts counts();

    /** Requests finished per minute since {@code since}, oldest minute first; minutes with none are left out. */
    List<JobThroughput> finishedPerMinute(Instant since);

    /**
     * Takes one request to run: {@code queued} with {@code run_at} passed, or {@code running} with an
     * expired lease and attempts left. Moves it to {@code running}, counts the attempt, and leases
     * it to {@code owner} for {@code leaseTime}.
     */
    Optional<JobRequest> claim(long id, String owner, Duration leaseTime);

    /**
     * Like {@link #claim(long, String, Duration)}, but only a request handed off to {@code handOffTarget}
     * (a queue URL, a function): a message that names another application's request is refused rather
     * than run.
     */
    Optional<JobRequest> claim(long id, String handOffTarget, String owner, Duration leaseTime);

    /**
     * {@link #claim(long, String, String, Duration)} for several requests at once — one statement
     * where the store can — as for a batch of queue messages. Returns those it claimed, each at most
     * once however often its id is listed; the others are left as they are.
     */
    default List<JobRequest> claimAll(Collection<Long> ids, String handOffTarget, String owner, Duration leaseTime) {
        List<JobRequest> claimed = new ArrayList<>();
        for (long id : new LinkedHashSet<>(ids)) {
            claim(id, handOffTarget, owner, leaseTime).ifPresent(claimed::add);
        }
        return claimed;
    }

    /** Like {@link #claim(long, String, Duration)} for up to {@code limit} requests matching the filter, oldest run-at first. */
    List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit);

    /**
     * Claims those of the requests with these ids (announced by {@link #watchQueued}) that are queued,
     * due, match the filter and are not locked by another worker's claim: a look-up by primary key
     * where {@link #claimNext} searches. A store that cannot claim by id claims any due requests
     * matching the filter, as many as there are ids.
     */
    default List<JobRequest> claimQueued(Collection<Long> ids, ClaimFilter filter, String owner, Duration leaseTime) {
        return claimNext(filter, owner, leaseTime, ids.size());
    }

    /** Extends the lease by {@code leaseTime} from now; empty once the lease is no longer held. */
    Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime);

    /** Records progress (0..100) and a message on a running request. */
    Optional<JobRequest> progress(Lease lease, int percent, String message);

    /*
     * Every transition that ends an attempt (succeed, fail, requeue, markCancelled, and the takeover
     * of an expired lease) appends that attempt to the request's history.
     */

    /** Running to {@code succeeded}, with the result as JSON (or {@code null}) and a message. */
    Optional<JobRequest> succeed(Lease lease, String resultJson, String message);

    /** Running to {@code failed}, with the error; the attempt is recorded with {@code outcome}. */
    /**
     * {@link #succeed} for many attempts in few statements; each row's lease is checked as by
     * {@code succeed}. The results are in the order given, empty where the lease was no longer held.
     */
    default List<Optional<JobRequest>> succeedAll(List<Success> successes) {
        List<Optional<JobRequest>> results = new ArrayList<>(successes.size());
        for (Success success : successes) {
            results.add(succeed(success.lease(), success.resultJson(), success.message()));
        }
        return results;
    }

    Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error);

    /** Running to {@code failed}, with the error. */
    default Optional<JobRequest> fail(Lease lease, String error) {
        return fail(lease, JobAttempt.Outcome.FAILED, error);
    }

    /** Running back to {@code queued} for another attempt at {@code runAt}, keeping the error; the attempt is recorded with {@code outcome}. */
    Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome, String error);

    /** Running back to {@code queued} for another attempt at {@code runAt}, keeping the error. */
    default Optional<JobRequest> requeue(Lease lease, Instant runAt, String error) {
        return requeue(lease, runAt, JobAttempt.Outcome.FAILED, error);
    }

    /**
     * Running back to {@code queued}, due now, without counting the attempt: for a worker that
     * claimed a request and shuts down before starting it.
     */
    Optional<JobRequest> release(Lease lease);

    /** Running to {@code cancelled}: the handler stopped after a cancel request. */
    Optional<JobRequest> markCancelled(Lease lease, String message);

    /**
     * Asks to cancel: a queued request becomes {@code cancelled} at once; a running one is flagged
     * so its handler sees {@link JobContext#isCancelled()}. Empty when it is already finished or absent.
     */
    Optional<JobRequest> cancel(long id);

    /** Pauses a queue or job type: no claim takes its requests until resumed. False when it was paused already. */
    boolean pause(Pause pause);

    /** Ends a pause and wakes workers that listen to the store. False when it was not paused. */
    boolean resume(Pause pause);

    /** The pauses in force, queues first, then by name, with the queued requests each holds back. */
    List<PausedWork> paused();

    /**
     * Stores the concurrency limits of job types, as a process that handles them declares them: a
     * type with a limit is stored (replacing what was stored), one without has its stored limit removed.
     * Every claim statement of the store enforces them.
     */
    void defineLimits(List<JobLimit> limits);

    /** The stored limits, by type, each with how many requests of the type run now. */
    List<JobLimit> limits();

    /**
     * Records that queued requests were handed to their transport (a queue message, an invocation).
     * Requests already marked keep their first mark.
     */
    void markHandedOff(Collection<Long> ids);

    /** Clears the hand-off mark of a queued request whose hand-off failed, so a sweep retries it. */
    void clearHandOff(long id);

    /**
     * Takes queued requests of {@code runner} for {@code target} due before {@code dueBefore} that need a hand-off:
     * never handed off, or handed off more than {@code staleAfter} ago while due for longer than
     * that (the hand-off is presumed lost). Marks them handed off now and returns them, oldest
     * run-at first. Concurrent callers get disjoint sets.
     */
    List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore, Duration staleAfter, int limit);

    /**
     * Puts back in the queue, due now and not handed off, every running request of {@code runner}
     * for {@code target} whose lease expired with attempts left (its worker died or timed out);
     * the attempt stays counted and the expiry is recorded as its error. Returns them.
     */
    List<JobRequest> requeueAbandoned(String runner, String target);

    /** Marks failed every running request whose lease expired with no attempts left; returns them. */
    List<JobRequest> failAbandoned();

    /** Deletes finished requests that finished more than {@code retention} ago; returns how many. */
    int purgeFinished(Duration retention);

    /**
     * Deletes at most {@code limit} requests with one of the (finished) {@code statuses} that
     * finished more than {@code olderThan} ago, oldest first, skipping rows another sweeper holds;
     * returns how many.
     */
    int purgeFinished(Set<JobStatus> statuses, Duration olderThan, int limit);

    /*
     * Recurring jobs. Schedules live next to the requests so every scheduler (any process) sees the
     * same definitions and the same position, and fires each occurrence once.
     */

    /**
     * Stores a schedule, or replaces the one with its name. A replaced schedule whose timing (spec
     * and zone) is unchanged keeps its stored position (next run, last occurrence); otherwise the
     * given position applies. Returns it as stored.
     */
    ScheduledJob saveSchedule(ScheduledJob schedule);

    Optional<ScheduledJob> findSchedule(String name);

    /** Every schedule, by name. */
    List<ScheduledJob> listSchedules();

    /** Schedules not paused whose next run is at or before {@code now}, by next run. */
    List<ScheduledJob> dueSchedules(Instant now);

    /** Deletes a schedule; jobs it dispatched stay. False when there was none. */
    boolean deleteSchedule(String name);

    /**
     * Pauses a schedule, or resumes it at {@code resumeAt} (its next occurrence from now; a schedule
     * that was not paused keeps its position). Empty when no schedule has the name.
     */
    Optional<ScheduledJob> pauseSchedule(String name, boolean paused, Instant resumeAt);

    /**
     * Fires or skips one occurrence, atomically, once across all schedulers: when the schedule's next
     * run is still {@code due}, moves it to {@code next} and records {@code occurrence}, then with a
     * request stores that job ({@link ScheduleFiring.Outcome#FIRED}), unless overlap is not allowed
     * and the last occurrence's job is still queued or running
     * ({@link ScheduleFiring.Outcome#SKIPPED_OVERLAP}). Without a request the occurrence is skipped.
     * {@link ScheduleFiring.Outcome#TAKEN} when the next run is no longer {@code due}.
     */
    ScheduleFiring fireSchedule(String name, Instant due, Instant next, Instant occurrence, NewJobRequest request);

    /** Which processes can read this store's requests; {@link StoreScope#NETWORK} unless it says otherwise. */
    default StoreScope scope() {
        return StoreScope.NETWORK;
    }

    /** Where the requests are kept, for messages and logs (e.g. "PostgreSQL at db:5432/jobs"). */
    default String description() {
        return getClass().getSimpleName();
    }

    /**
     * Records a success and, in the same statement, hands the job's place under its type's concurrency
     * limit to the next due job of that type that {@code filter} matches (of the same key, when the
     * type limits keys), claimed for {@code owner}: the running count never changes, so no other claim
     * has to count it, and the worker goes on without a claim of its own. Types with a rate limit, or
     * without a concurrency limit, hand nothing over. This default records the success only.
     */
    default SuccessAndNext succeedAndTakeNext(Lease lease, String resultJson, String message, ClaimFilter filter,
                                              String owner, Duration leaseTime) {
        return new SuccessAndNext(succeed(lease, resultJson, message), Optional.empty());
    }

    /**
     * Stores the rows in one transaction, in order: a row may run after stored jobs and after earlier
     * rows of the list ({@link NewJobRequest.Workflow}); such a row is stored {@code waiting} until they
     * finished (or queued, or cancelled, when they already did). When rows are batch members, the call
     * makes one batch of them. All are stored or, when this throws, none.
     *
     * @throws IllegalArgumentException when a row names a job that is not stored
     */
    default InsertedGraph insertGraph(List<NewJobRequest> rows) {
        throw new UnsupportedOperationException(description() + " keeps no dependencies between jobs; use the "
                + "io.jobrunner:job-request-store module for workflows and batches");
    }

    /** The ids of the jobs the request runs after, in id order; empty without dependencies. */
    default List<Long> dependencies(long id) {
        return List.of();
    }

    /** A batch's progress; empty for an unknown id. */
    default Optional<io.jobrunner.BatchProgress> batch(long id) {
        return Optional.empty();
    }

    /**
     * Tells {@code watcher}, in this process, of requests that became queued because the last job
     * they waited for finished here (called on the finishing thread after its transaction; must return
     * quickly). The runner that dispatched them hands them off. Close the handle to stop.
     */
    default AutoCloseable watchReleased(java.util.function.Consumer<List<JobRequest>> watcher) {
        return () -> { };
    }

    /**
     * Starts telling {@code watcher} soon after a request of the {@code database} runner becomes queued
     * in any process (dispatched, retried, released or requeued), with its id where the store knows
     * it, for workers that would otherwise poll. Empty when the store cannot tell (the caller polls);
     * close the handle to stop.
     */
    default Optional<AutoCloseable> watchQueued(QueuedWatcher watcher) {
        return Optional.empty();
    }

    /**
     * Checks, with one round trip, that the store answers; empty when it does, else the problem in
     * one line. This default looks a request up.
     */
    default Optional<String> unreachable() {
        try {
            find(0);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(description() + " does not answer: " + e.getMessage());
        }
    }

    /**
     * Stores or renews a worker's row ({@link JobWorker#registering}), stamping it with the
     * database's clock; also forgets workers not seen for {@link JobWorker#FORGOTTEN_AFTER}. This
     * default keeps no registry.
     */
    default void registerWorker(JobWorker worker) {
    }

    /** Removes a worker's row, as it stops. */
    default void unregisterWorker(String id) {
    }

    /** Every registered worker, {@link JobWorker#live()} by the database's clock, by runner and id. */
    default List<JobWorker> workers() {
        return List.of();
    }

    /**
     * Reads every request and schedule whole and runs the database's own consistency check where it
     * has one, on demand ({@code jobrunner check}): slow on a large store, and it changes nothing. This
     * default can check nothing and says so.
     */
    default StoreCheck check() {
        return new StoreCheck(List.of(), List.of(description() + " cannot be checked: it has no check of its own"));
    }

    /** Releases what the store holds open (connections, files). */
    @Override
    void close();
}
