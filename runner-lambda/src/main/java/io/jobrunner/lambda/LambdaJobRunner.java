package io.jobrunner.lambda;

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
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer side of {@code lambda-async}: {@code Invoke} with {@code InvocationType=Event}. A
 * task travels whole; a job is stored first and only its id travels. A job due later than the
 * handler will wait inline is not invoked now: the handler's hand-off sweep (on a scheduled
 * event) invokes it when due, and also re-invokes jobs whose invocation failed. Thread-safe.
 */
final class LambdaJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(LambdaJobRunner.class);

    private final RunnerContext context;
    private final LambdaSettings settings;
    private final LambdaInvoker invoker;
    private final RunnerLifecycle lifecycle = new RunnerLifecycle(LambdaRunnerProvider.NAME);
    private final RunnerSchedules schedules;

    LambdaJobRunner(RunnerContext context, LambdaSettings settings, LambdaInvoker invoker) {
        this.context = context;
        this.settings = settings;
        this.invoker = invoker;
        this.schedules = RunnerSchedules.start(context, this::unsentRequest, this::handOff, false);
    }

    @Override
    public String name() {
        return LambdaRunnerProvider.NAME;
    }

    @Override
    public boolean fullyConfigured() {
        return true;
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        ensureOpen(taskName);
        String body = Envelope.task(taskName, context.encodeTask(taskName, payload));
        int size = body.getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxPayloadBytes()) {
            throw new PayloadTooLargeException(taskName, size, settings.maxPayloadBytes(),
                    "the Lambda asynchronous invocation limit, " + LambdaSettings.MAX_PAYLOAD_BYTES);
        }
        try {
            invoker.invokeAsync(body);
        } catch (LambdaInvoker.InvokeFailedException e) {
            throw new DispatchFailedException(name(), taskName, e.getMessage(), e.getCause());
        }
    }

    @Override
    public JobRequest dispatchJob(JobData data) {
        ensureOpen(data.jobType());
        NewJobRequest row = context.newJobRequest(data, name());
        boolean invokeNow = invokesNow(row.runAt());
        InsertResult inserted = store().insert(row.withHandOff(settings.function(), invokeNow));
        JobRequest request = inserted.request();
        if (inserted.created() ? invokeNow : inserted.needsHandOff()) {
            invoke(request);
        }
        return request;
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
    static NewJobRequest unsentRequest(RunnerContext context, LambdaSettings settings, JobData data) {
        return context.newJobRequest(data, LambdaRunnerProvider.NAME).withHandOff(settings.function(), false);
    }

    @Override
    public JobSchedules schedules() {
        return schedules.schedules();
    }

    /** Invokes for what is queued, not yet handed off and due within the inline wait; a scheduled sweep invokes the rest when due. */
    @Override
    public void handOff(Collection<JobRequest> requests) {
        ensureOpen("the hand-off of " + requests.size() + " jobs");
        for (JobRequest request : requests) {
            if (request.status() == JobStatus.QUEUED && request.handedOffAt() == null && invokesNow(request.runAt())) {
                invoke(request);
            }
        }
    }

    private boolean invokesNow(Instant runAt) {
        return runAt == null || Duration.between(Instant.now(), runAt).compareTo(settings.maxInlineWait()) <= 0;
    }

    @Override
    public Optional<JobRequest> retry(long jobId) {
        ensureOpen("job " + jobId);
        Optional<JobRequest> requeued = store().retry(jobId);
        requeued.ifPresent(this::invoke);
        return requeued;
    }

    /** Invokes the function for a stored job; marks it handed off if the insert did not, or clears the mark on failure. */
    private void invoke(JobRequest request) {
        try {
            invoker.invokeAsync(Envelope.job(request.id()));
            if (request.handedOffAt() == null) {
                store().markHandedOff(List.of(request.id()));
            }
        } catch (LambdaInvoker.InvokeFailedException e) {
            store().clearHandOff(request.id());
            log.warn("Job request {} ({}) is stored but was not handed to Lambda ({}); the hand-off sweep of a "
                    + "scheduled event will invoke it", request.id(), request.jobType(), e.getMessage());
        }
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
        lifecycle.closeOnce(schedules::close, invoker::close, context::close);
    }
}
