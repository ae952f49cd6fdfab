package io.jobrunner;

import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a runner, a worker or the Lambda handler is built from, read and checked once:
 * the settings (environment, a map, or builder calls), the handlers, the payload codec, the store
 * if the application passes one, and clients it brings (an {@code SqsClient}, a {@code LambdaClient}).
 * Producers ({@link #newRunner()}), {@code SqsWorker.create(config)} and
 * {@code new JobRunnerHandler(config)} take the same object, so codec, handlers, store and limits
 * agree wherever the work runs. Built by {@link JobRunners#builder()}; immutable and thread-safe.
 */
public final class JobRunnerConfig {

    private final Settings settings;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final JobRequestStore store;
    private final ClassLoader classLoader;
    private final Map<Class<?>, Object> clients;
    private final String runner;
    private final long maxTaskPayloadBytes;
    private final long maxJobPayloadBytes;
    private final long maxResultBytes;
    private final int maxAttempts;
    private final Duration retryBaseDelay;
    private final Duration retryMaxDelay;
    private final Duration leaseTime;
    private final JobListener listener;
    private final boolean hasListeners;
    private final JobTracer tracer;

    /**
     * @throws InvalidSettingException naming the variable, the value and what is expected, for any
     *                                 value that does not parse or is out of range
     */
    JobRunnerConfig(Settings settings, HandlerRegistry handlers, PayloadCodec codec, JobRequestStore store,
                    ClassLoader classLoader, Map<Class<?>, Object> clients, List<JobListener> listeners,
                    JobTracer tracer) {
        this.listener = JobListenerChain.of(listeners);
        this.tracer = tracer;
        this.hasListeners = !listeners.isEmpty();
        this.settings = settings;
        this.handlers = handlers;
        this.codec = codec;
        this.store = store;
        this.classLoader = classLoader;
        this.clients = Map.copyOf(clients);
        settings.checkVariables();
        settings.validate();
        this.runner = settings.string(Setting.RUNNER);
        this.maxTaskPayloadBytes = settings.bytes(Setting.MAX_TASK_PAYLOAD_BYTES);
        this.maxJobPayloadBytes = settings.bytes(Setting.MAX_JOB_PAYLOAD_BYTES);
        this.maxResultBytes = settings.bytes(Setting.MAX_RESULT_BYTES);
        this.maxAttempts = settings.integer(Setting.MAX_ATTEMPTS);
        Duration base = settings.duration(Setting.RETRY_BASE_DELAY);
        Duration max = settings.duration(Setting.RETRY_MAX_DELAY);
        this.retryBaseDelay = base;
        this.retryMaxDelay = max.compareTo(base) < 0 ? base : max;
        this.leaseTime = settings.duration(Setting.LEASE_TIME);
    }

    /** Builds the runner {@link #runner()} names (see {@link JobRunners.Builder#build()}). */
    public JobRunner newRunner() {
        return JobRunners.newRunner(this);
    }

    /** The runner's name as configured ({@code JOB_RUNNER}, default {@code inprocess-async}). */
    public String runner() {
        return runner;
    }

    /** Every setting by variable name, with typed readers (for backends reading their own). */
    public Settings settings() {
        return settings;
    }

    public HandlerRegistry handlers() {
        return handlers;
    }

    public PayloadCodec codec() {
        return codec;
    }

    /** The store the application passed (it keeps and closes it); empty means the one discovered from the settings. */
    public Optional<JobRequestStore> store() {
        return Optional.ofNullable(store);
    }

    /** The class loader providers, stores and handlers are discovered from. */
    public ClassLoader classLoader() {
        return classLoader;
    }

    /** A client the application passed for the type (it keeps and closes it), e.g. an {@code SqsClient}. */
    public <T> Optional<T> client(Class<T> type) {
        return Optional.ofNullable(clients.get(type)).map(type::cast);
    }

    /**
     * The listeners given to the builder, as one: each call goes to every listener in order, and an
     * exception one throws is logged, never passed on. Does nothing when none were given.
     */
    public JobListener listener() {
        return listener;
    }

    /** True when the builder was given a listener (runners skip measuring for listeners otherwise). */
    public boolean hasListeners() {
        return hasListeners;
    }

    /** What traces dispatches and runs ({@link JobTracer#NONE} unless the builder was given one). */
    public JobTracer tracer() {
        return tracer;
    }

    /** The largest task payload, in bytes ({@code JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES}). */
    public long maxTaskPayloadBytes() {
        return maxTaskPayloadBytes;
    }

    /** The largest job payload, in bytes ({@code JOB_RUNNER_MAX_JOB_PAYLOAD_BYTES}). */
    public long maxJobPayloadBytes() {
        return maxJobPayloadBytes;
    }

    /** The largest job result, in bytes ({@code JOB_RUNNER_MAX_RESULT_BYTES}). */
    public long maxResultBytes() {
        return maxResultBytes;
    }

    /** Attempts of a job whose type's policy this process does not know ({@code JOB_RUNNER_MAX_ATTEMPTS}). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The first retry's delay ({@code JOB_RUNNER_RETRY_BASE_DELAY}); it doubles up to {@link #retryMaxDelay()}. */
    public Duration retryBaseDelay() {
        return retryBaseDelay;
    }

    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /** How long a claim holds a request before another worker may take it ({@code JOB_RUNNER_LEASE_TIME}). */
    public Duration leaseTime() {
        return leaseTime;
    }
}
