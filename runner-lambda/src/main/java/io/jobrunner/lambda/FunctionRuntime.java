package io.jobrunner.lambda;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadException;
import io.jobrunner.Setting;
import io.jobrunner.TaskFailedException;
import io.jobrunner.TaskHandler;
import io.jobrunner.internal.Envelope;
import io.jobrunner.internal.HandOffSweep;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.MalformedMessageException;
import io.jobrunner.internal.Recovery;
import io.jobrunner.internal.Retention;
import io.jobrunner.internal.Tasks;
import io.jobrunner.internal.WorkerIds;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * What the handler needs, built once per container and lazily: handlers are read from
 * {@code META-INF/services} (no class-path scanning); the store, its connection pool and the
 * Lambda client are opened only when an event needs them. Runs tasks, jobs (through the shared
 * {@link JobRuns}) and the hand-off sweep. Thread-safe.
 */
final class FunctionRuntime {

    private static final Logger log = LoggerFactory.getLogger(FunctionRuntime.class);
    /** At most one opportunistic sweep per container in this many seconds. */
    private static final long OPPORTUNISTIC_SWEEP_SECONDS = 30;

    private final JobRunnerConfig config;
    private final Settings settings;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final String ownName;
    private final AtomicLong lastSweep = new AtomicLong();
    private volatile RunnerContext context;
    private volatile JobRuns runs;
    private volatile Optional<LambdaSettings> lambdaSettings;
    private volatile LambdaTransport transport;

    FunctionRuntime(JobRunnerConfig config) {
        this.config = config;
        this.settings = config.settings();
        this.handlers = config.handlers();
        this.codec = config.codec();
        this.ownName = settings.get(LambdaSettings.OWN_FUNCTION).or(() -> settings.get(Setting.LAMBDA_FUNCTION))
                .map(LambdaSettings::functionName).orElse(null);
    }

    static FunctionRuntime fromEnvironment() {
        return new FunctionRuntime(JobRunners.builder().classLoader(FunctionRuntime.class.getClassLoader()).config());
    }

    synchronized RunnerContext context() {
        if (context == null) {
            RunnerContext opened = RunnerContext.open(config);
            try {
                if (!opened.hasStore()) {
                    throw new JobStoreException("The function has no job request store: include "
                            + "io.jobrunner:job-request-store in the jar and set DATABASE_URL");
                }
                opened.requireSharedStore("the Lambda function");
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            context = opened;
            // jobs released by a finish here are invoked now, not at the next sweep (closed with the store)
            opened.store().watchReleased(released -> transport().ifPresent(target ->
                    new HandOffSweep(opened.store(), target, Retention.from(settings)).handOffDue()));
            opened.config().listener().opened(LambdaRunnerProvider.NAME, opened.jobRequests(UnaryOperator.identity()));
        }
        return context;
    }

    JobRequestStore store() {
        return context().store();
    }

    /** Runs a task; its failure is thrown as {@link TaskFailedException}, a payload that does not fit as is. */
    void runTask(Envelope.Task task) {
        String taskName = task.taskName();
        TaskHandler<?> handler = handlers.requireTask(taskName);
        try {
            Tasks.run(config.tracer(), codec, handler, task.payloadJson().getBytes(StandardCharsets.UTF_8),
                    task.traceParent());
        } catch (PayloadException e) {
            throw e;
        } catch (Exception e) {
            throw new TaskFailedException(taskName, e);
        }
    }

    /**
     * Claims and runs one attempt of a job sent to this function; when the claim is refused, the
     * request as it stands.
     *
     * @throws MalformedMessageException when no request has the id, or it was handed to another function
     *                                   (never run: Lambda's retries and on-failure destination keep the event)
     */
    JobRuns.Run runOwnJob(long jobId, Instant deadline) {
        JobRuns.Run run = runJob(jobId, ownName, deadline);
        JobRequest request = run.request();
        if (!run.ran() && ownName != null && !ownName.equals(request.handOffTarget())) {
            throw new MalformedMessageException("job request " + jobId + " (" + request.jobType() + ", runner "
                    + request.runner() + ") is handed to " + (request.handOffTarget() == null ? "no function"
                    : "'" + request.handOffTarget() + "'") + ", not to this function '" + ownName + "'; it is not run "
                    + "here. Two applications may share the database, or the producer names another function in "
                    + Setting.LAMBDA_FUNCTION.variable(), "{\"jobId\":" + jobId + "}");
        }
        return run;
    }

    /**
     * Claims and runs one attempt of a job; when the claim is refused, the request as it stands.
     *
     * @param handOffTarget claim only a request handed to this target, or {@code null} for any
     * @throws MalformedMessageException when no request has the id
     */
    JobRuns.Run runJob(long jobId, String handOffTarget, Instant deadline) {
        JobRuns.Run run = runs().runOnce(jobId, handOffTarget, deadline);
        if (run.request() == null) {
            throw new MalformedMessageException("job request " + jobId + " does not exist in " + store().description()
                    + " (purged, sent to the wrong function, or the producer uses another DATABASE_URL)",
                    "{\"jobId\":" + jobId + "}");
        }
        return run;
    }

    /**
     * The request a message names.
     *
     * @throws MalformedMessageException when no request has the id
     */
    JobRequest findJob(long jobId) {
        return store().find(jobId).orElseThrow(() -> new MalformedMessageException("job request " + jobId
                + " does not exist in " + store().description() + " (purged, sent to the wrong queue or function, or the"
                + " producer uses another DATABASE_URL)", "{\"jobId\":" + jobId + "}"));
    }

    /** True when this function has a handler for the job type. */
    boolean handlesJob(String jobType) {
        return handlers.jobTypes().contains(jobType);
    }

    private synchronized JobRuns runs() {
        if (runs == null) {
            runs = new JobRuns(context(), WorkerIds.next("lambda:" + (ownName == null ? "function" : ownName)));
        }
        return runs;
    }

    /**
     * Recovery and hand-offs: fails abandoned requests, and when this function dispatches to one
     * (JOB_RUNNER_LAMBDA_FUNCTION), queues again those abandoned with attempts left and invokes it for
     * what is due and not handed off.
     */
    HandOffSweep.Counts sweep() {
        lastSweep.set(System.currentTimeMillis());
        Optional<LambdaTransport> target = transport();
        Retention retention = Retention.from(settings);
        if (target.isEmpty()) {
            int failed = Recovery.failAbandoned(store());
            retention.sweep(store());
            return new HandOffSweep.Counts(0, 0, failed);
        }
        return new HandOffSweep(store(), target.get(), retention).sweep();
    }

    /** Sweeps after a job, when this container has not swept in the last half minute. */
    void sweepIfDue() {
        long now = System.currentTimeMillis();
        long last = lastSweep.get();
        if (now - last >= OPPORTUNISTIC_SWEEP_SECONDS * 1000 && lastSweep.compareAndSet(last, now)) {
            try {
                sweep();
            } catch (RuntimeException e) {
                log.warn("Hand-off sweep after the job failed; the next one retries: {}", e.toString());
            }
        }
    }

    /**
     * SnapStart, before the snapshot: warms JSON for every handler's payload type and the envelope,
     * then closes what must not be copied into every container restored from it — the store's
     * connections, the Lambda client's, and the lease owner id (each restored container claims
     * under its own). All are built again on first need.
     */
    synchronized void prepareForSnapshot() {
        for (String name : handlers.taskNames()) {
            codec.mapper().readerFor(handlers.requireTask(name).payloadType());
        }
        for (String type : handlers.jobTypes()) {
            codec.mapper().readerFor(handlers.requireJob(type).payloadType());
        }
        Envelope.parse("{\"type\":\"TASK\",\"taskName\":\"snapshot\",\"payload\":{}}");
        if (runs != null) {
            runs.close();
            runs = null;
        }
        if (transport != null) {
            transport.close();
            transport = null;
        }
        if (context != null) {
            context.close();
            context = null;
        }
        log.info("Function prepared for its snapshot: connections closed, to be opened again on first need");
    }

    /** True while the store (or the Lambda client) is open. */
    synchronized boolean holdsConnections() {
        return context != null || transport != null;
    }

    /** The function jobs are handed to, when this function is configured to dispatch to one. */
    synchronized Optional<LambdaSettings> lambdaSettings() {
        if (lambdaSettings == null) {
            lambdaSettings = LambdaSettings.missing(settings).isEmpty() ? Optional.of(LambdaSettings.from(settings))
                    : Optional.empty();
        }
        return lambdaSettings;
    }

    /** How this function hands jobs off, when it dispatches to one. */
    synchronized Optional<LambdaTransport> transport() {
        if (transport == null && lambdaSettings().isPresent()) {
            LambdaSettings target = lambdaSettings().get();
            transport = new LambdaTransport(target, new LambdaInvoker(target, config.client(LambdaClient.class)));
        }
        return Optional.ofNullable(transport);
    }
}
