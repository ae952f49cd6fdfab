package io.jobrunner.internal;

import io.jobrunner.BulkDispatchException;
import io.jobrunner.DispatchRejectedException;
import io.jobrunner.JobBatch;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadTooLargeException;
import io.jobrunner.Readiness;
import io.jobrunner.Setting;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Transport;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer side of every runner whose work runs in other processes; the backend contributes
 * only its {@link Transport}. A task travels whole in its envelope. A job is stored first, then
 * its hand-off (only the id) is sent; a job due later than the transport can wait is left for the
 * sweep, and one whose send failed has its hand-off mark cleared so the sweep sends it again: a
 * stored job is never lost between the store and the transport. Thread-safe.
 */
public final class HandOffRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(HandOffRunner.class);

    private final RunnerContext context;
    private final Transport transport;
    private final RunnerLifecycle lifecycle;
    private final RunnerSchedules schedules;
    private final JobRequests jobs;
    private final WorkerWatch workerWatch;
    /** Sends hand-offs after {@code dispatchJob} returned; {@code null} with {@code JOB_RUNNER_HANDOFF_SYNC=true}. */
    private final BackgroundSender sender;
    /** Hands off this runner's jobs released by a finish in this process; {@code null} without a store. */
    private final AutoCloseable releases;

    public HandOffRunner(RunnerContext context, Transport transport) {
        this.context = context;
        this.transport = transport;
        this.workerWatch = transport.workersRegister() && context.hasStore()
                ? new WorkerWatch(context.store(), transport.runnerName()) : null;
        this.sender = context.config().settings().flag(Setting.HANDOFF_SYNC) ? null
                : new BackgroundSender(transport.runnerName(), this::send);
        this.lifecycle = new RunnerLifecycle(transport.runnerName());
        // Fired jobs are handed off without the open check: close() stops the timer after marking the runner
        // closed, and a pass still running then must hand off what it stored before the transport closes.
        this.schedules = RunnerSchedules.start(context, data -> unsentRequest(context, transport, data), this::sendDue, false);
        this.jobs = context.jobRequests(retried -> {
            ensureOpen("job " + retried.id());
            send(List.of(retried));
            return retried;
        }, () -> {
            if (context.hasStore()) {  // what the pause held is handed off now, not at the next sweep
                new HandOffSweep(context.store(), transport, Retention.from(context.config().settings())).run();
            }
        });
        this.releases = context.hasStore() ? context.store().watchReleased(this::released) : null;
    }

    /** Jobs of this runner that a finish in this process released: sent now (a failed send is the sweep's). */
    private void released(List<JobRequest> released) {
        List<JobRequest> ours = released.stream().filter(request -> name().equals(request.runner())
                && Objects.equals(transport.target(), request.handOffTarget())).toList();
        if (lifecycle.isOpen()) {
            sendSoon(ours);
        }
    }

    /** Sends the due requests among these, on the background sender when there is one. */
    private void sendSoon(Collection<JobRequest> requests) {
        List<JobRequest> due = due(requests);
        if (due.isEmpty()) {
            return;
        }
        if (sender != null) {
            sender.enqueue(due);
        } else {
            send(due);
        }
    }

    /** The row of a job stored without a hand-off yet (in a transaction, or fired by a schedule). */
    public static NewJobRequest unsentRequest(RunnerContext context, Transport transport, JobData data) {
        return context.newJobRequest(data, transport.runnerName()).withHandOff(transport.target(), false);
    }

    @Override
    public String name() {
        return transport.runnerName();
    }

    @Override
    public boolean fullyConfigured() {
        return lifecycle.isOpen() && context.hasStore();
    }

    /** Open, the store answers, and the queue or function exists and answers. */
    @Override
    public Readiness readiness() {
        return lifecycle.readiness(context, transport::unreachable);
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        ensureOpen(taskName);
        String trace = context.config().tracer().traceParent();
        List<Transport.Failure> failures = transport.sendTasks(List.of(taskEnvelope(taskName, payload, trace)), trace);
        if (!failures.isEmpty()) {
            Transport.Failure failure = failures.get(0);
            throw new DispatchRejectedException(name(), taskName, failure.reason(), failure.cause());
        }
    }

    @Override
    public void dispatchTasks(String taskName, List<?> payloads) {
        ensureOpen(taskName);
        String trace = context.config().tracer().traceParent();
        List<String> envelopes = new ArrayList<>(payloads.size());
        for (Object payload : payloads) {
            envelopes.add(taskEnvelope(taskName, payload, trace));
        }
        List<Transport.Failure> failures = transport.sendTasks(envelopes, trace);
        if (!failures.isEmpty()) {
            throw new BulkDispatchException(payloads.size(), failures.stream()
                    .map(f -> new BulkDispatchException.EntryFailure(f.index(), taskName, f.reason())).toList());
        }
    }

    private String taskEnvelope(String taskName, Object payload, String trace) {
        String envelope = Envelope.task(taskName, context.encodeTask(taskName, payload), trace);
        int size = envelope.getBytes(StandardCharsets.UTF_8).length;
        if (size > transport.maxTaskBytes()) {
            throw new PayloadTooLargeException(taskName, size, transport.maxTaskBytes(), transport.maxTaskBytesLimit());
        }
        return envelope;
    }

    @Override
    public JobRequest dispatchJob(JobData data) {
        return dispatchJobs(List.of(data)).get(0);
    }

    @Override
    public List<JobRequest> dispatchJobs(List<JobData> jobs) {
        List<NewJobRequest> rows = new ArrayList<>(jobs.size());
        Instant now = Instant.now();
        for (JobData job : jobs) {
            ensureOpen(job.jobType());
            NewJobRequest row = context.newJobRequest(job, name());
            rows.add(row.withHandOff(transport.target(), transport.sendsNow(row.runAt(), now)));
        }
        List<InsertResult> inserted = store().insertAll(rows);
        context.dispatched(name(), inserted);
        watch(inserted);
        List<JobRequest> requests = new ArrayList<>(rows.size());
        List<JobRequest> toSend = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            InsertResult result = inserted.get(i);
            requests.add(result.request());
            boolean queued = result.request().status() == JobStatus.QUEUED;
            if (queued && (result.created() ? rows.get(i).handedOff() : result.needsHandOff())) {
                toSend.add(result.request());
            }
        }
        if (sender != null && !toSend.isEmpty()) {
            sender.enqueue(toSend);
        } else {
            send(toSend);
        }
        return requests;
    }

    @Override
    public List<JobRequest> dispatchGraph(JobGraph graph) {
        graph.steps().forEach(step -> ensureOpen(step.job().jobType()));
        return sendStored(store().insertGraph(context.graphRows(graph, data -> unsentRequest(context, transport, data))));
    }

    @Override
    public JobBatch.Dispatched dispatchBatch(JobBatch batch) {
        batch.members().forEach(member -> ensureOpen(member.jobType()));
        InsertedGraph stored = store().insertGraph(context.batchRows(batch, data -> unsentRequest(context, transport, data)));
        sendStored(stored);
        return RunnerContext.dispatchedBatch(batch, stored);
    }

    /** Sends the queued requests of a graph (the waiting ones are sent when released); returns them all. */
    private List<JobRequest> sendStored(InsertedGraph stored) {
        context.dispatched(name(), stored.results());
        watch(stored.results());
        List<JobRequest> requests = stored.results().stream().map(InsertResult::request).toList();
        sendSoon(stored.results().stream().filter(InsertResult::needsHandOff).map(InsertResult::request).toList());
        return requests;
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        ensureOpen(data.jobType());
        InsertResult inserted = store().insert(connection, unsentRequest(context, transport, data));
        context.dispatched(name(), List.of(inserted));
        watch(List.of(inserted));
        return inserted.request();
    }

    private void watch(List<InsertResult> stored) {
        if (workerWatch != null) {
            workerWatch.dispatched(stored);
        }
    }

    /** Sends what is queued, not yet handed off and due soon enough; the sweep sends the rest when due. */
    @Override
    public void handOff(Collection<JobRequest> requests) {
        ensureOpen("the hand-off of " + requests.size() + " jobs");
        sendDue(requests);
    }

    private void sendDue(Collection<JobRequest> requests) {
        send(due(requests));
    }

    /** The requests queued, not handed off yet and due soon enough for the transport to take now. */
    private List<JobRequest> due(Collection<JobRequest> requests) {
        Instant now = Instant.now();
        return requests.stream().filter(request -> request.status() == JobStatus.QUEUED && request.handedOffAt() == null
                && transport.sendsNow(request.runAt(), now)).toList();
    }

    /** Sends the jobs' hand-offs; marks handed off those the insert did not mark, clears the mark of those not sent. */
    private void send(List<JobRequest> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        List<Transport.Failure> failures = transport.sendJobs(jobs, Instant.now());
        Set<Integer> failed = new HashSet<>();
        for (Transport.Failure failure : failures) {
            JobRequest job = jobs.get(failure.index());
            failed.add(failure.index());
            store().clearHandOff(job.id());
            log.warn("Job request {} ({}) is stored but was not handed off to {} ({}); the hand-off sweep sends it",
                    job.id(), job.jobType(), transport.target(), failure.reason());
        }
        List<Long> unmarked = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (!failed.contains(i) && jobs.get(i).handedOffAt() == null) {
                unmarked.add(jobs.get(i).id());
            }
        }
        if (!unmarked.isEmpty()) {
            store().markHandedOff(unmarked);
        }
    }

    @Override
    public JobSchedules schedules() {
        return schedules.schedules();
    }

    @Override
    public JobRequests jobs() {
        return jobs;
    }

    private JobRequestStore store() {
        return context.store();
    }

    private void ensureOpen(String what) {
        lifecycle.ensureOpen(what);
    }

    @Override
    public void close() {
        lifecycle.closeOnce(releases == null ? null : releases::close, schedules::close, sender == null ? () -> { } : sender::close, transport::close,
                context::close);
    }
}
