package io.jobrunner.sqs;

import io.jobrunner.BulkDispatchException;
import io.jobrunner.DispatchFailedException;
import io.jobrunner.InsertResult;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobSchedules;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.NewJobRequest;
import io.jobrunner.PayloadTooLargeException;
import io.jobrunner.spi.Envelope;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.RunnerLifecycle;
import io.jobrunner.spi.RunnerSchedules;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The producer side of {@code sqs}: a task is one message carrying its payload; a job is stored
 * first and its message carries only the id. Jobs due more than 15 minutes ahead (or ahead at all,
 * on FIFO queues) are not sent now: the workers' hand-off sweep sends them when they are due, and
 * also re-sends any whose send failed. Thread-safe.
 */
final class SqsJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(SqsJobRunner.class);

    private final RunnerContext context;
    private final SqsSettings settings;
    private final SqsClient client;
    private final SqsSender sender;
    private final RunnerLifecycle lifecycle = new RunnerLifecycle(SqsRunnerProvider.NAME);
    private final RunnerSchedules schedules;

    SqsJobRunner(RunnerContext context, SqsSettings settings, SqsClient client) {
        this.context = context;
        this.settings = settings;
        this.client = client;
        this.sender = new SqsSender(client, settings);
        this.schedules = RunnerSchedules.start(context, this::unsentRequest, this::handOff, false);
    }

    @Override
    public String name() {
        return SqsRunnerProvider.NAME;
    }

    @Override
    public boolean fullyConfigured() {
        return true;
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        ensureOpen(taskName);
        String body = taskBody(taskName, payload);
        try {
            sender.send(SqsSender.Outgoing.task(body));
        } catch (SdkException e) {
            throw new DispatchFailedException(name(), taskName, "SQS did not accept the message: " + e.getMessage(), e);
        }
    }

    @Override
    public void dispatchTasks(String taskName, List<?> payloads) {
        ensureOpen(taskName);
        List<SqsSender.Outgoing> messages = new ArrayList<>(payloads.size());
        for (Object payload : payloads) {
            messages.add(SqsSender.Outgoing.task(taskBody(taskName, payload)));
        }
        List<SqsSender.Failure> failures = sender.sendAll(messages);
        if (!failures.isEmpty()) {
            throw new BulkDispatchException(payloads.size(), failures.stream()
                    .map(f -> new BulkDispatchException.EntryFailure(f.index(), taskName, f.reason())).toList());
        }
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
            rows.add(row.withHandOff(settings.queueUrl(), sendsNow(row.runAt(), now)));
        }
        List<JobRequest> requests = new ArrayList<>(rows.size());
        List<JobRequest> toSend = new ArrayList<>();
        for (NewJobRequest row : rows) {
            InsertResult inserted = store().insert(row);
            requests.add(inserted.request());
            if (inserted.created() ? row.handedOff() : inserted.needsHandOff()) {
                toSend.add(inserted.request());
            }
        }
        send(toSend);
        return requests;
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        ensureOpen(data.jobType());
        return store().insert(connection, unsentRequest(data)).request();
    }

    private NewJobRequest unsentRequest(JobData data) {
        return unsentRequest(context, settings, data);
    }

    /** The row of a job stored without a hand-off yet (in a transaction, or fired by a schedule). */
    static NewJobRequest unsentRequest(RunnerContext context, SqsSettings settings, JobData data) {
        return context.newJobRequest(data, SqsRunnerProvider.NAME).withHandOff(settings.queueUrl(), false);
    }

    @Override
    public JobSchedules schedules() {
        return schedules.schedules();
    }

    /** Sends what is queued, not yet handed off and due within SQS's delay limit; the sweep sends the rest when due. */
    @Override
    public void handOff(Collection<JobRequest> requests) {
        ensureOpen("the hand-off of " + requests.size() + " jobs");
        Instant now = Instant.now();
        send(requests.stream().filter(request -> request.status() == JobStatus.QUEUED && request.handedOffAt() == null
                && sendsNow(request.runAt(), now)).toList());
    }

    @Override
    public Optional<JobRequest> retry(long jobId) {
        ensureOpen("job " + jobId);
        Optional<JobRequest> requeued = store().retry(jobId);
        requeued.ifPresent(request -> send(List.of(request)));
        return requeued;
    }

    /** Sends the jobs' messages; marks handed off those not marked at insert, clears the mark of those not sent. */
    private void send(List<JobRequest> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<SqsSender.Outgoing> messages = jobs.stream().map(job -> JobMessages.outgoing(job, now)).toList();
        List<SqsSender.Failure> failures = jobs.size() == 1 ? sendOne(messages.get(0)) : sender.sendAll(messages);
        Set<Integer> failed = new HashSet<>();
        for (SqsSender.Failure failure : failures) {
            JobRequest job = jobs.get(failure.index());
            failed.add(failure.index());
            store().clearHandOff(job.id());
            log.warn("Job request {} ({}) is stored but its message was not sent ({}); a worker's hand-off sweep will "
                    + "send it", job.id(), job.jobType(), failure.reason());
        }
        List<Long> unmarked = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (!failed.contains(i) && jobs.get(i).handedOffAt() == null) {
                unmarked.add(jobs.get(i).id());
            }
        }
        store().markHandedOff(unmarked);
    }

    private List<SqsSender.Failure> sendOne(SqsSender.Outgoing message) {
        try {
            sender.send(message);
            return List.of();
        } catch (SdkException e) {
            return List.of(new SqsSender.Failure(0, e.getMessage()));
        }
    }

    /** Due within SQS's delay limit (due now, on FIFO queues): send at once; otherwise the sweep sends it. */
    private boolean sendsNow(Instant runAt, Instant now) {
        if (runAt == null || !runAt.isAfter(now)) {
            return true;
        }
        return !sender.fifo() && Duration.between(now, runAt).compareTo(SqsSettings.MAX_DELAY) <= 0;
    }

    private String taskBody(String taskName, Object payload) {
        String body = Envelope.task(taskName, context.encodeTask(taskName, payload));
        int size = body.getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxMessageBytes()) {
            throw new PayloadTooLargeException(taskName, size, settings.maxMessageBytes(),
                    "the SQS message limit, " + SqsSettings.MAX_MESSAGE_BYTES);
        }
        return body;
    }

    @Override
    public JobRequestStore store() {
        return context.store();
    }

    private void ensureOpen(String what) {
        lifecycle.ensureOpen(what);
    }

    @Override
    public void close() {
        lifecycle.closeOnce(schedules::close, client::close, context::close);
    }
}
