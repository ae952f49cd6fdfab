package io.jobrunner.lambda;

import io.jobrunner.JobRequest;
import io.jobrunner.Setting;
import io.jobrunner.internal.Envelope;
import io.jobrunner.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How {@code lambda-async} hands work off: one asynchronous invocation ({@code InvocationType=Event})
 * per task or job. A job due within the handler's inline wait is invoked at once (the handler waits
 * for its run-at); a later one waits in the store for the sweep of a scheduled event. Thread-safe.
 */
final class LambdaTransport implements Transport {

    private final LambdaSettings settings;
    private final LambdaInvoker invoker;

    LambdaTransport(LambdaSettings settings, LambdaInvoker invoker) {
        this.settings = settings;
        this.invoker = invoker;
    }

    @Override
    public String runnerName() {
        return LambdaRunnerProvider.NAME;
    }

    @Override
    public String target() {
        return settings.target();
    }

    @Override
    public long maxTaskBytes() {
        return settings.maxPayloadBytes();
    }

    @Override
    public String maxTaskBytesLimit() {
        return "the Lambda asynchronous invocation limit, " + Setting.LAMBDA_MAX_PAYLOAD_BYTES.variable();
    }

    @Override
    public boolean sendsNow(Instant runAt, Instant now) {
        return runAt == null || Duration.between(now, runAt).compareTo(settings.maxInlineWait()) <= 0;
    }

    @Override
    public Duration sweepLookAhead() {
        return settings.maxInlineWait();
    }

    @Override
    public Duration handOffStaleAfter() {
        return settings.handOffStaleAfter();
    }

    /** Yes: an invocation cut short (timeout, crash) is not delivered again, so its request is put back. */
    @Override
    public boolean requeuesAbandoned() {
        return true;
    }

    @Override
    public List<Failure> sendTasks(List<String> envelopes, String traceParent) {
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; i < envelopes.size(); i++) {
            invoke(i, envelopes.get(i), failures);
        }
        return failures;
    }

    @Override
    public List<Failure> sendJobs(List<JobRequest> jobs, Instant now) {
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            invoke(i, Envelope.job(jobs.get(i).id()), failures);
        }
        return failures;
    }

    private void invoke(int index, String envelope, List<Failure> failures) {
        try {
            invoker.invokeAsync(envelope);
        } catch (LambdaInvoker.InvokeFailedException e) {
            failures.add(new Failure(index, e.getMessage(), e.getCause()));
        }
    }

    @Override
    public Optional<String> unreachable() {
        return invoker.unreachable();
    }

    @Override
    public void close() {
        invoker.close();
    }
}
