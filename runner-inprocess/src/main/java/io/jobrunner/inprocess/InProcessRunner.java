package io.jobrunner.inprocess;

import io.jobrunner.JobBatch;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobListener;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.Readiness;
import io.jobrunner.TaskFailedException;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.RunnerLifecycle;
import io.jobrunner.internal.RunnerSchedules;
import io.jobrunner.internal.Tasks;
import io.jobrunner.internal.WorkerIds;
import io.jobrunner.internal.WorkerWatch;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Runs tasks and jobs in this process, each kind either on the caller's thread ({@link Mode#SYNC})
 * or on a bounded pool ({@link Mode#ASYNC}). One class serves {@code inprocess-sync},
 * {@code inprocess-async} and Spoke's {@code legacy} mix. Thread-safe.
 */
final class InProcessRunner implements io.jobrunner.JobRunner {

    /** How often the sync mode tries again a job a concurrency limit holds. */
    private static final long HELD_RETRY_MILLIS = 20;

    enum Mode {
        /** On the caller's thread. */
        SYNC,
        /** On this runner's pool. */
        ASYNC,
        /** Jobs only: stored for {@link DatabaseWorker}s in other processes, which the database wakes. */
        WORKERS
    }

    private final String name;
    private final String storedAs;
    private final RunnerContext context;
    private final Mode tasks;
    private final Mode jobs;
    private final JobRuns runs;
    private final AsyncLane lane;
    private final DatabaseWorker jobWorker;
    private final RunnerLifecycle lifecycle;
    private final RunnerSchedules schedules;
    private final JobRequests jobRequests;
    /** For jobs stored for database workers: warns when no live worker takes a dispatched type. */
    private final WorkerWatch workerWatch;
    /** Tells this runner of its jobs released by a finish in this process; {@code null} without a store. */
    private final AutoCloseable releases;
    /**
     * The sync mode: jobs released by the finishes of its runs; the caller whose run released them
     * (a finish returns once its dependents are settled) runs them before its dispatch returns.
     */
    private final java.util.Queue<JobRequest> releasedToRun = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Fires due recurring jobs on a timer unless {@code JOB_RUNNER_SCHEDULER=off}. */
    InProcessRunner(String name, RunnerContext context, Mode tasks, Mode jobs) {
        this.name = name;
        this.storedAs = jobs == Mode.WORKERS ? DatabaseRunnerProvider.NAME : name;
        this.context = context;
        this.tasks = tasks;
        this.jobs = jobs;
        this.runs = new JobRuns(context, WorkerIds.next(name));
        this.lifecycle = new RunnerLifecycle(name);
        AsyncLane startedLane = null;
        DatabaseWorker startedWorker = null;
        try {
            startedLane = tasks == Mode.ASYNC ? new AsyncLane(name, context) : null;
            // A process without job handlers (tasks only) has no jobs to run and needs no job threads.
            startedWorker = jobs == Mode.ASYNC && !context.config().handlers().jobTypes().isEmpty()
                    ? DatabaseWorker.inProcess(name, context).start() : null;
            // Fired jobs are handed off without the open check: a pass still running while close() stops the
            // timer hands off what it stored.
            this.schedules = RunnerSchedules.start(context, this::newRequest, this::handOffQueued, jobs != Mode.WORKERS);
        } catch (RuntimeException | Error e) {
            // A runner that cannot be built leaves no thread behind: the JVM of a misconfigured application exits.
            if (startedWorker != null) {
                startedWorker.close();
            }
            if (startedLane != null) {
                startedLane.close();
            }
            throw e;
        }
        this.lane = startedLane;
        this.jobWorker = startedWorker;
        this.workerWatch = jobs == Mode.WORKERS && context.hasStore()
                ? new WorkerWatch(context.store(), DatabaseRunnerProvider.NAME) : null;
        this.jobRequests = context.jobRequests(retried -> {
            ensureOpen("job " + retried.id());
            return handOff(retried);
        }, this::resumed);
        this.releases = context.hasStore() && jobs != Mode.WORKERS ? context.store().watchReleased(this::released) : null;
    }

    /** Jobs of this runner that a finish in this process released: the job threads claim them, or a sync caller runs them. */
    private void released(List<JobRequest> released) {
        for (JobRequest request : released) {
            if (!storedAs.equals(request.runner())) {
                continue;
            }
            if (jobs == Mode.SYNC) {
                releasedToRun.add(request);
            } else if (jobWorker != null) {
                jobWorker.wakeAt(request.runAt());
            }
        }
    }

    /**
     * The row for a job: checked against this process's handlers when it runs jobs itself; for
     * database workers otherwise, whom storing it wakes.
     */
    private NewJobRequest newRequest(JobData data) {
        if (jobs != Mode.WORKERS) {
            context.config().handlers().requireJob(data.jobType());
            return context.newJobRequest(data, storedAs);
        }
        return context.newJobRequest(data, storedAs).forWorkers();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fullyConfigured() {
        return lifecycle.isOpen() && (context.hasStore() || context.config().handlers().jobTypes().isEmpty());
    }

    /** Open, and the store answers. */
    @Override
    public Readiness readiness() {
        return lifecycle.readiness(context, Optional::empty);
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        ensureOpen(taskName);
        TaskHandler<?> handler = context.config().handlers().requireTask(taskName);
        byte[] json = context.encodeTask(taskName, payload);
        String trace = context.config().tracer().traceParent();
        if (tasks == Mode.SYNC) {
            try {
                Tasks.run(context.config().tracer(), context.config().codec(), handler, json, trace);
            } catch (Exception e) {
                throw new TaskFailedException(taskName, e);
            }
        } else {
            lane.submitTask(taskName, handler, json, trace);
        }
    }

    /**
     * Stored, then run: when this process's job threads have room, a job due now is stored already
     * claimed and handed to a thread at once (one statement, no claim to wait for); otherwise it is
     * stored queued and the worker claims it.
     */
    @Override
    public JobRequest dispatchJob(JobData data) {
        ensureOpen(data.jobType());
        NewJobRequest row = newRequest(data);
        InsertResult inserted = jobWorker != null && jobWorker.canTakeNow()
                ? store().insertClaimed(row, jobWorker.id(), context.config().leaseTime())
                : store().insert(row);
        context.dispatched(name(), List.of(inserted));
        watch(List.of(inserted));
        if (inserted.created() && inserted.request().status() == JobStatus.RUNNING) {
            jobWorker.runClaimed(inserted.request());
            return inserted.request();
        }
        return inserted.needsHandOff() ? handOff(inserted.request()) : inserted.request();
    }

    /** One multi-row insert per chunk, then each stored job handed off as by {@link #dispatchJob(JobData)}. */
    @Override
    public List<JobRequest> dispatchJobs(List<JobData> jobs) {
        List<NewJobRequest> rows = new ArrayList<>(jobs.size());
        for (JobData data : jobs) {
            ensureOpen(data.jobType());
            rows.add(newRequest(data));
        }
        List<JobRequest> requests = new ArrayList<>(rows.size());
        List<InsertResult> stored = store().insertAll(rows);
        context.dispatched(name(), stored);
        watch(stored);
        for (InsertResult inserted : stored) {
            requests.add(inserted.needsHandOff() ? handOff(inserted.request()) : inserted.request());
        }
        return requests;
    }

    @Override
    public List<JobRequest> dispatchGraph(JobGraph graph) {
        graph.steps().forEach(step -> ensureOpen(step.job().jobType()));
        return handOffStored(store().insertGraph(context.graphRows(graph, this::newRequest)));
    }

    @Override
    public JobBatch.Dispatched dispatchBatch(JobBatch batch) {
        batch.members().forEach(member -> ensureOpen(member.jobType()));
        InsertedGraph stored = store().insertGraph(context.batchRows(batch, this::newRequest));
        handOffStored(stored);
        return RunnerContext.dispatchedBatch(batch, stored);
    }

    /** The queued requests of a graph handed off as {@link #dispatchJob(JobData)} does; the waiting ones stay. */
    private List<JobRequest> handOffStored(InsertedGraph stored) {
        context.dispatched(name(), stored.results());
        watch(stored.results());
        List<JobRequest> requests = new ArrayList<>(stored.results().size());
        for (InsertResult inserted : stored.results()) {
            JobRequest request = inserted.request();
            requests.add(inserted.needsHandOff() && request.status() == JobStatus.QUEUED ? handOff(request) : request);
        }
        return requests;
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        ensureOpen(data.jobType());
        InsertResult inserted = store().insert(connection, newRequest(data));
        context.dispatched(name(), List.of(inserted));
        watch(List.of(inserted));
        return inserted.request();
    }

    private void watch(List<InsertResult> stored) {
        if (workerWatch != null) {
            workerWatch.dispatched(stored);
        }
    }

    @Override
    public void handOff(Collection<JobRequest> requests) {
        ensureOpen("the hand-off of " + requests.size() + " jobs");
        handOffQueued(requests);
    }

    private void handOffQueued(Collection<JobRequest> requests) {
        for (JobRequest request : requests) {
            if (request.status() == JobStatus.QUEUED) {
                handOff(request);
            }
        }
    }

    private JobRequest handOff(JobRequest stored) {
        if (jobs == Mode.WORKERS) {
            return stored;  // the row is the hand-off: the database wakes the workers
        }
        if (jobs == Mode.SYNC) {
            if (stored.status() != JobStatus.QUEUED) {
                return stored;  // waiting: the finish of its last dependency releases it, and that thread runs it
            }
            JobRequest finished = runUntilFinished(stored.id(), stored.jobType());
            runReleased();
            return finished;
        }
        if (jobWorker != null) {
            jobWorker.wakeAt(stored.runAt());
        }
        return stored;
    }

    /**
     * After a pause ended: the job threads look for due work at once; in the sync mode, the jobs the
     * pause held are run now, on the caller's thread, as their dispatch would have run them.
     */
    private void resumed() {
        if (jobWorker != null) {
            jobWorker.wakeAt(Instant.now());
        }
        if (jobs != Mode.SYNC || !context.hasStore()) {
            return;
        }
        long after = 0;
        List<JobRequest> page;
        do {
            page = store().list(JobQuery.all().withStatus(JobStatus.QUEUED).after(after).limit(JobQuery.MAX_LIMIT));
            for (JobRequest queued : page) {
                after = queued.id();
                if (storedAs.equals(queued.runner()) && !queued.runAt().isAfter(Instant.now())) {
                    runUntilFinished(queued.id(), queued.jobType());
                }
            }
        } while (page.size() == JobQuery.MAX_LIMIT);
    }

    @Override
    public JobSchedules schedules() {
        return schedules.schedules();
    }

    @Override
    public JobRequests jobs() {
        return jobRequests;
    }

    private JobRequestStore store() {
        return context.store();
    }

    /** The sync mode: attempt after attempt on the caller's thread, waiting out run-at and backoff. */
    private JobRequest runUntilFinished(long id, String jobType) {
        while (true) {
            JobRuns.Run run = runs.runOnce(id, null, null);
            JobRequest current = run.request();
            if (current == null) {
                throw new JobStoreException("Job request " + id + " (" + jobType + ") vanished from the store while it "
                        + "was being run");
            }
            if (run.held()) {
                if (paused(current)) {
                    return current;  // it stays queued, for a runner or worker that claims from the store
                }
                sleepUntil(Instant.now().plusMillis(HELD_RETRY_MILLIS), id);  // a concurrency limit: wait for a place
                continue;
            }
            boolean again = run.ran() ? run.result() == JobListener.Outcome.RETRIED
                    : current.status() == JobStatus.QUEUED;
            if (!again) {
                return current;
            }
            sleepUntil(current.runAt(), id);
        }
    }

    /** The sync mode: runs the jobs its finishes released, and those they release in turn. */
    private void runReleased() {
        for (JobRequest next = releasedToRun.poll(); next != null; next = releasedToRun.poll()) {
            runUntilFinished(next.id(), next.jobType());
        }
    }

    /** True when a pause holds the request: its job type or its queue. */
    private boolean paused(JobRequest request) {
        return store().paused().stream().anyMatch(held -> held.pause().holds(request));
    }

    private static void sleepUntil(Instant when, long id) {
        long millis = Duration.between(Instant.now(), when).toMillis() + 1;
        if (millis <= 1) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStoreException("Interrupted while waiting to run job request " + id
                    + "; it stays queued in the store", e);
        }
    }

    private void ensureOpen(String what) {
        lifecycle.ensureOpen(what);
    }

    private void stopWatchingReleases() throws Exception {
        if (releases != null) {
            releases.close();
        }
    }

    /**
     * Stops accepting work, lets queued and running work finish up to the shutdown timeout, then
     * interrupts what still runs. Jobs left unfinished stay in the store; tasks not yet started are lost.
     */
    @Override
    public void close() {
        lifecycle.closeOnce(this::stopWatchingReleases, schedules::close, lane == null ? null : lane::close,
                jobWorker == null ? null : jobWorker::close, runs::close, context::close);
    }
}
