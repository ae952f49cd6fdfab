package io.jobrunner.inprocess;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.InvalidSettingException;
import io.jobrunner.JobListener;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobStoreException;
import io.jobrunner.JobWorker;
import io.jobrunner.Setting;
import io.jobrunner.internal.HandlerSlots;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.NamedThreads;
import io.jobrunner.internal.Recovery;
import io.jobrunner.internal.Retention;
import io.jobrunner.internal.RunnerSchedules;
import io.jobrunner.internal.WorkerIds;
import io.jobrunner.internal.WorkerRegistration;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.ClaimFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the jobs of the {@code database} runner in a process of its own: claims due requests in
 * batches sized to how fast its jobs run (claims skip rows other workers hold), runs them on a
 * bounded pool with lease heartbeats, records the outcomes (successes in groups, written while the
 * threads go on with the next jobs), fails abandoned requests, and fires
 * recurring jobs. On PostgreSQL a dispatch wakes it at once (LISTEN/NOTIFY); it also polls, which
 * is all it does on the embedded store. A worker may take only some job types or queues.
 * {@link #close()} stops claiming, lets running jobs finish up to the shutdown timeout, and
 * releases the rest to other workers. Thread-safe.
 */
public final class DatabaseWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseWorker.class);
    /** How far ahead of the running jobs a worker claims: what its threads get through in this time. */
    private static final Duration BUFFER_WINDOW = Duration.ofMillis(100);
    /** Least time between two claims while there is no backlog; an idle worker claims at once. */
    private static final long CLAIM_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Announced ids kept for a claim by id while the threads are busy; past this many, the next claim looks for any. */
    private static final int MOST_ANNOUNCED = 256;

    private final RunnerContext context;
    private final Role role;
    private final JobRuns runs;
    private final ClaimFilter filter;
    private final int concurrency;
    private final int claimBatch;
    private final Duration pollInterval;
    private final Duration shutdownTimeout;
    private final Duration recoveryInterval;
    private final Retention retention;
    /** Claimed requests whose outcome is not stored yet: waiting for a thread, running, or being written. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final HandlerSlots slots;
    private final ScheduledThreadPoolExecutor timer;
    private final Thread claimer;
    private final Object wakeLock = new Object();
    private final AtomicLong claimed = new AtomicLong();
    private boolean wakePending;
    /** Ids of requests the store announced queued since the last claim (guarded by {@link #wakeLock}). */
    private final Set<Long> announced = new LinkedHashSet<>();
    /**
     * Something may be due that no announced id names — a wake-up without ids, a poll, a failed
     * claim — so the next claim looks for any due request (guarded by {@link #wakeLock}).
     */
    private boolean lookForAny = true;
    /** The last claim took all it asked for: more may be due. Read by settling threads. */
    private volatile boolean backlog;
    /** The last claim found nothing due and nothing woke the claimer since (guarded by {@link #wakeLock}). */
    private boolean idle;
    /** Claim passes finished, and whether the last took nothing: {@link #drain()} watches them. Guarded by wakeLock. */
    private long passes;
    private boolean lastPassEmpty;
    private volatile boolean running;
    /** The job types with a concurrency limit: one settling frees a place, so the claimer looks again. */
    private final Set<String> limited;
    /** A job of a limited type settled since the last claim: claim without waiting for more to arrive. */
    private volatile boolean placeFreed;
    private boolean started;
    private boolean closed;

    /**
     * @param name names the threads and the lease owner
     * @param role what the worker does besides claiming: a process's own, or an in-process runner's half
     */
    private DatabaseWorker(RunnerContext context, String name, ClaimFilter filter, Duration pollInterval, Role role) {
        Settings settings = context.config().settings();
        this.context = context;
        this.role = role;
        this.runs = new JobRuns(context, WorkerIds.next(name));
        this.filter = filter;
        this.concurrency = settings.integer(Setting.CONCURRENCY);
        this.claimBatch = settings.integer(Setting.CLAIM_BATCH, Math.max(200, concurrency * 2));
        this.pollInterval = pollInterval;
        this.shutdownTimeout = settings.duration(Setting.SHUTDOWN_TIMEOUT);
        this.recoveryInterval = settings.duration(Setting.RECOVERY_INTERVAL);
        this.retention = Retention.from(settings);
        this.slots = new HandlerSlots(DatabaseRunnerProvider.NAME, name + "-", concurrency, BUFFER_WINDOW);
        this.timer = new ScheduledThreadPoolExecutor(1, NamedThreads.factory(name + "-timer-", true));
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.limited = context.config().handlers().jobTypes().stream()
                .filter(type -> context.config().handlers().requireJob(type).policy().limited()).collect(Collectors.toSet());
        this.claimer = new Thread(this::claimLoop, name + "-claimer");
        this.claimer.setDaemon(true);
    }

    /**
     * The job half of an in-process runner: claims the runner's own due requests (stored with its
     * name) in the same batches, woken by the runner's dispatches ({@link #wakeAt}) and by a poll at
     * the recovery interval that takes over requests a stopped process left behind. Shares the
     * runner's context, which stays open at {@link #close()}; fires no schedules (the runner does).
     */
    static DatabaseWorker inProcess(String runnerName, RunnerContext context) {
        Duration poll = context.config().settings().duration(Setting.RECOVERY_INTERVAL);
        return new DatabaseWorker(context, runnerName + "-worker",
                new ClaimFilter(context.config().handlers().jobTypes(), Set.of(), runnerName), poll, new RunnerHalf());
    }

    /**
     * A worker built from the same configuration as the producers: its handlers, codec, store and
     * limits. A store the application passed stays open at {@link #close()}. Call {@link #start()}.
     *
     * @throws JobStoreException       when there is no store, or one no other process can read
     * @throws InvalidSettingException when {@code JOB_RUNNER_WORKER_TYPES} names a type without a handler
     */
    public static DatabaseWorker create(JobRunnerConfig config) {
        RunnerContext context = RunnerContext.open(config);
        try {
            context.requireStoreForWorkers("the database worker");
            Settings settings = context.config().settings();
            ClaimFilter filter = new ClaimFilter(jobTypes(settings, context.config().handlers()), settings.names(Setting.WORKER_QUEUES),
                    DatabaseRunnerProvider.NAME);
            return new DatabaseWorker(context, "db-worker", filter, settings.duration(Setting.POLL_INTERVAL), new OwnProcess());
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** The job types this worker takes: those of {@code JOB_RUNNER_WORKER_TYPES} (each must have a handler), else every handler's. */
    private static Set<String> jobTypes(Settings settings, HandlerRegistry handlers) {
        Set<String> listed = settings.names(Setting.WORKER_TYPES);
        if (listed.isEmpty()) {
            if (handlers.jobTypes().isEmpty()) {
                throw new IllegalStateException("The database worker has no job handlers: register them with "
                        + "JobRunners.builder().handlers(…) or list them in META-INF/services/io.jobrunner.JobHandler");
            }
            return handlers.jobTypes();
        }
        for (String type : listed) {
            if (!handlers.jobTypes().contains(type)) {
                throw new InvalidSettingException(Setting.WORKER_TYPES.variable(), settings.get(Setting.WORKER_TYPES).orElse(""), "a comma-separated "
                        + "list of job types this worker has handlers for; '" + type + "' has none (it has: "
                        + handlers.jobTypes().stream().sorted().toList() + ")");
            }
        }
        return listed;
    }


    /** Starts listening, claiming, the recovery sweep and the schedule timer. */
    public synchronized DatabaseWorker start() {
        if (closed) {
            throw new IllegalStateException("This database worker was closed; create a new one");
        }
        if (started) {
            return this;
        }
        started = true;
        running = true;
        timer.scheduleWithFixedDelay(this::recover, 0, recoveryInterval.toMillis(), TimeUnit.MILLISECONDS);
        claimer.start();
        role.started(this);
        return this;
    }

    /**
     * Drain mode: runs what is due for this worker's job types, then closes the worker. Returns once
     * a claim that began after every job it took had settled found nothing due, so a job that was due
     * then, however it became due (dispatched, resumed, retried at once), has run. Jobs due later
     * (a run-at ahead, a retry's backoff) stay queued for the next run. Starts the worker if needed.
     *
     * @return how many jobs it claimed in all
     * @throws InterruptedException when interrupted while waiting; the worker is closed then too
     */
    public long drain() throws InterruptedException {
        start();
        try {
            while (running) {
                awaitNoneInFlight();
                long before;
                synchronized (wakeLock) {
                    before = passes;
                }
                wake();
                synchronized (wakeLock) {
                    while (running && passes == before) {
                        wakeLock.wait(10);
                    }
                    if (lastPassEmpty && inFlight.get() == 0) {
                        break;
                    }
                }
            }
        } finally {
            close();
        }
        return claimed();
    }

    private void awaitNoneInFlight() throws InterruptedException {
        while (running && inFlight.get() > 0) {
            synchronized (wakeLock) {
                wakeLock.wait(10);
            }
        }
    }

    /** The lease owner this worker claims as, recorded in each attempt's history. */
    public String id() {
        return runs.owner();
    }

    /** Requests claimed since start, for tests and metrics. */
    public long claimed() {
        return claimed.get();
    }

    /** What this worker takes, for logs and tools. */
    public ClaimFilter filter() {
        return filter;
    }

    /**
     * True when a thread is free and nothing claimed waits for one: a job dispatched now may be
     * stored already claimed by this worker ({@link #runClaimed}) instead of waiting for a claim.
     */
    boolean canTakeNow() {
        return running && inFlight.get() < concurrency;
    }

    /**
     * Runs a request stored already claimed by this worker's owner
     * ({@link io.jobrunner.spi.store.JobRequestStore#insertClaimed}); released back to the queue if
     * the worker is closing.
     */
    void runClaimed(JobRequest request) {
        claimed.incrementAndGet();
        inFlight.incrementAndGet();
        try {
            slots.execute(new Work(request));
        } catch (RuntimeException closing) {
            log.debug("Job request {} was stored claimed as the worker closed; released", request.id(), closing);
            runs.release(request);
            settled();
        }
    }

    /** Asks the claimer to look for due work at {@code runAt} (now, when it is past). */
    void wakeAt(Instant runAt) {
        long delay = Duration.between(Instant.now(), runAt).toMillis();
        if (delay <= 0) {
            wake();
        } else if (running) {
            try {
                timer.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closing: the request stays queued in the store for the next process
            }
        }
    }

    /** Asks the claimer to look for due work now. */
    private void wake() {
        announced(List.of());
    }

    /**
     * The store announced these requests queued (none named: look for any): an idle worker claims
     * them by id, where a claim of whatever is due would search the queue.
     */
    private void announced(List<Long> ids) {
        synchronized (wakeLock) {
            announced.addAll(ids);
            if (ids.isEmpty() || announced.size() > MOST_ANNOUNCED) {
                lookForAny = true;  // the claim of whatever is due takes them all
                announced.clear();
            }
            wakePending = true;
            idle = false;
            wakeLock.notifyAll();
        }
    }

    /**
     * The ids to claim by id next, or none to look for any due request: while there is a backlog,
     * after a wake-up without ids, or when there is no room for every announced request.
     */
    private List<Long> takeAnnounced(int room, boolean backlog) {
        synchronized (wakeLock) {
            List<Long> ids = lookForAny || backlog || announced.size() > room ? List.of() : List.copyOf(announced);
            announced.clear();
            lookForAny = false;
            return ids;
        }
    }

    /**
     * How many claimed requests may wait for a thread: as many as the threads get through in
     * {@link #BUFFER_WINDOW} at the pace jobs have been running — at least one per thread, so
     * no thread idles while the next claim runs, and at most {@value #CLAIM_BATCH}. Short jobs are
     * claimed in large batches; long ones are not hoarded away from other workers.
     */
    private int bufferTarget() {
        return slots.ahead(concurrency, claimBatch);
    }

    /** Room for more claims now, and whether it is worth a claim: a whole slot while idle, half the buffer while there is a backlog. */
    private int room(boolean backlog) {
        int buffer = bufferTarget();
        int room = concurrency + buffer - inFlight.get();
        return room >= (backlog ? Math.max(1, buffer / 2) : 1) ? room : 0;
    }

    private void claimLoop() {
        long lastClaim = System.nanoTime() - CLAIM_GAP_NANOS;
        while (running) {
            try {
                int room = room(backlog);
                if (room == 0) {
                    awaitWake(Duration.ofSeconds(1));  // a settled job wakes it
                    continue;
                }
                boolean freed = placeFreed;
                placeFreed = false;
                if (!backlog && !freed) {
                    // Woken again right after a claim, as jobs dispatched one by one do: let a few more arrive
                    // so one statement claims them, rather than one statement (and commit) per job. (Not when a
                    // limited type's place freed: a held job waits for it, and no more will arrive.)
                    long early = lastClaim + CLAIM_GAP_NANOS - System.nanoTime();
                    if (early > 0) {
                        TimeUnit.NANOSECONDS.sleep(early);
                    }
                }
                lastClaim = System.nanoTime();
                int asked = Math.min(room, claimBatch);
                List<Long> ids = takeAnnounced(asked, backlog);
                int took;
                if (ids.isEmpty()) {
                    took = start(runs.claimNext(filter, asked));
                    backlog = took == asked;
                } else {
                    took = start(runs.claimQueued(ids, filter));
                    backlog = false;
                }
                synchronized (wakeLock) {
                    passes++;
                    lastPassEmpty = took == 0 && ids.isEmpty();
                    wakeLock.notifyAll();
                }
                if (!backlog) {
                    synchronized (wakeLock) {
                        idle = !wakePending;
                        wakeLock.notifyAll();
                    }
                    awaitWake(pollInterval);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                wake();  // what was announced is looked for with the rest after the pause
                log.warn("Claiming jobs failed; trying again in {} ms: {}", pollInterval.toMillis(), e.toString());
                try {
                    awaitWake(pollInterval);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Queues claimed requests for the threads; returns how many. */
    private int start(List<JobRequest> batch) {
        claimed.addAndGet(batch.size());
        inFlight.addAndGet(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            try {
                slots.execute(new Work(batch.get(i)));
            } catch (RuntimeException e) {
                for (JobRequest request : batch.subList(i, batch.size())) {
                    runs.release(request);
                    settled();
                }
                throw e;
            }
        }
        return batch.size();
    }

    /** A claimed request's outcome is stored (or it was released): its room goes to the next claim. */
    private void settled() {
        inFlight.decrementAndGet();
        if (backlog && room(true) > 0) {
            wake();  // more is due; while there is no backlog, new work wakes the claimer itself
        }
    }

    private void awaitWake(Duration timeout) throws InterruptedException {
        synchronized (wakeLock) {
            long until = System.nanoTime() + timeout.toNanos();
            long left;
            while (!wakePending && running && (left = until - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
            }
            if (!wakePending) {
                lookForAny = true;  // a poll
            }
            wakePending = false;
        }
    }

    private void recover() {
        try {
            Recovery.failAbandoned(context.store());
        } catch (RuntimeException e) {
            log.warn("Failing abandoned job requests failed; will try again: {}", e.toString());
        }
        retention.sweep(context.store());
    }

    /** A claimed request on the pool; wakes the claimer when its slot frees, and again at a retry's run-at. */
    private final class Work implements HandlerSlots.Work {
        private final JobRequest request;

        Work(JobRequest request) {
            this.request = request;
        }

        /**
         * Runs the request; when its success hands its place under a concurrency limit to the next job of
         * its type (claimed in the same statement), runs that one next on this thread, and so on.
         */
        @Override
        public void run() {
            JobRequest current = request;
            while (true) {
                long began = System.nanoTime();
                CompletableFuture<JobRuns.Run> outcome;
                try {
                    outcome = runs.start(current, filter);
                } catch (RuntimeException e) {
                    log.error("Running job request {} ({}) failed", current.id(), current.jobType(), e);
                    settled();
                    return;
                }
                slots.ran(System.nanoTime() - began);
                JobRequest finished = current;
                JobRuns.Run done = outcome.getNow(null);  // a success that passes its place is stored by then
                if (done == null || done.next() == null) {
                    outcome.whenComplete((run, error) -> stored(finished, run, error, false));
                    return;
                }
                claimed.incrementAndGet();
                inFlight.incrementAndGet();  // the next job holds the slot and the place
                stored(finished, done, null, true);
                current = done.next();
                if (!running) {
                    runs.release(current);
                    settled();
                    return;
                }
            }
        }

        /** Claimed, not started: straight back to the queue, its attempt not counted. */
        @Override
        public void release() {
            runs.release(request);
            settled();
        }

        /**
         * Its outcome is in the store: free its room, and wake the claimer again at a retry's run-at, or at
         * once when a place under its type's limit is free (not when the place passed to the next job).
         */
        private void stored(JobRequest finished, JobRuns.Run run, Throwable error, boolean placePassed) {
            if (error != null) {
                log.error("Storing the outcome of job request {} ({}) failed; its lease will expire and the recovery"
                        + " sweep will take it over", finished.id(), finished.jobType(), error);
            } else if (run.result() == JobListener.Outcome.RETRIED && run.request() != null && running) {
                long delay = Math.max(0, Duration.between(Instant.now(), run.request().runAt()).toMillis());
                timer.schedule(DatabaseWorker.this::wake, delay, TimeUnit.MILLISECONDS);
            }
            settled();
            if (!placePassed && limited.contains(finished.jobType()) && running) {
                placeFreed = true;
                wake();  // its place under the type's concurrency limit is free: a held job of the type may start
            }
        }

        @Override
        public String toString() {
            return "job " + request.id();
        }
    }

    /**
     * Stops claiming, lets running jobs finish up to the shutdown timeout ({@code JOB_RUNNER_SHUTDOWN_TIMEOUT}),
     * then interrupts them: a job stopped by the interrupt goes back to the queue, its attempt not counted.
     * Closes the store only if the worker opened it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            role.closing(this);
            running = false;
            wake();
            claimer.join(pollInterval.toMillis() + 5_000);
            role.stoppedClaiming();
            timer.shutdownNow();
            slots.releaseWaiting();
            slots.drain(shutdownTimeout, runs::beginShutdown, "Database worker " + runs.owner());
            awaitStored();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            wake();
            runs.beginShutdown();
            slots.shutdownNow();
        } finally {
            runs.close();
            role.closed(this);
        }
    }

    /**
     * An in-process runner closing lets the jobs it was handed finish: waits, up to the shutdown
     * timeout, until every due request is claimed and settled. Delayed ones stay queued.
     */
    private void awaitIdle() throws InterruptedException {
        long until = System.nanoTime() + shutdownTimeout.toNanos();
        synchronized (wakeLock) {
            long left;
            while (!(idle && inFlight.get() == 0) && (left = until - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(wakeLock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        }
    }

    /** Waits (briefly) for the successes still being written by the last jobs to reach the store. */
    private void awaitStored() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    /**
     * What a worker does besides claiming and running: a process's own worker listens for
     * notifications, fires schedules, reports itself and owns its context; the job half of an
     * in-process runner does none of that, and at close lets the jobs it was handed finish.
     */
    private interface Role {
        /** The claimer runs. */
        void started(DatabaseWorker worker);

        /** First at close, while the worker still claims. */
        void closing(DatabaseWorker worker) throws InterruptedException;

        /** The claimer stopped; running jobs are drained next. */
        void stoppedClaiming();

        /** Last at close. */
        void closed(DatabaseWorker worker);
    }

    /** A process's own worker ({@link #create}). */
    private static final class OwnProcess implements Role {
        private RunnerSchedules schedules;
        private AutoCloseable listener;
        private AutoCloseable releases;
        private WorkerRegistration registration;

        @Override
        public void started(DatabaseWorker worker) {
            RunnerContext context = worker.context;
            Optional<AutoCloseable> watching = context.store().watchQueued(worker::announced);
            listener = watching.orElse(null);
            // jobs released here by a finish claim at once, where no notification tells (the embedded store)
            releases = context.store().watchReleased(released -> worker.wake());
            schedules = RunnerSchedules.start(context,
                    data -> context.newJobRequest(data, DatabaseRunnerProvider.NAME).forWorkers(), fired -> worker.wake(),
                    true);
            context.config().listener().opened(DatabaseRunnerProvider.NAME, context.jobRequests(UnaryOperator.identity()));
            context.config().listener().workerStarted(worker.slots.stats(worker.slots::busy, () -> -1, () -> -1));
            registration = WorkerRegistration.start(context.store(), JobWorker.registering(worker.runs.owner(),
                    WorkerIds.hostName(), DatabaseRunnerProvider.NAME, null, worker.filter.jobTypes(),
                    worker.filter.queueNames(), worker.concurrency));
            long poll = worker.pollInterval.toMillis();
            log.info("Database worker {} takes job types {} {} from {}; {} threads, woken by {}", worker.runs.owner(),
                    worker.filter.jobTypes().stream().sorted().toList(),
                    worker.filter.queueNames().isEmpty() ? "in every queue" : "in queues " + worker.filter.queueNames(),
                    context.store().description(), worker.concurrency,
                    watching.isPresent() ? "notifications and a poll every " + poll + " ms" : "a poll every " + poll + " ms");
        }

        @Override
        public void closing(DatabaseWorker worker) {
        }

        @Override
        public void stoppedClaiming() {
            if (schedules != null) {
                schedules.close();
            }
            for (AutoCloseable watch : java.util.Arrays.asList(listener, releases)) {
                if (watch != null) {
                    try {
                        watch.close();
                    } catch (Exception e) {
                        log.debug("Closing a queue listener failed", e);
                    }
                }
            }
        }

        @Override
        public void closed(DatabaseWorker worker) {
            if (registration != null) {
                registration.close();
            }
            worker.context.close();
        }
    }

    /** The job half of an in-process runner ({@link #inProcess}); the runner owns the context and the schedules. */
    private static final class RunnerHalf implements Role {
        @Override
        public void started(DatabaseWorker worker) {
        }

        @Override
        public void closing(DatabaseWorker worker) throws InterruptedException {
            worker.awaitIdle();
        }

        @Override
        public void stoppedClaiming() {
        }

        @Override
        public void closed(DatabaseWorker worker) {
        }
    }
}
