package io.jobrunner;

import io.jobrunner.internal.JobListeners;
import io.jobrunner.internal.RetryBackoff;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
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

    public static final String MAX_TASK_PAYLOAD_BYTES = "JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES";
    public static final String MAX_ATTEMPTS = "JOB_RUNNER_MAX_ATTEMPTS";
    public static final String RETRY_BASE_DELAY = "JOB_RUNNER_RETRY_BASE_DELAY";
    public static final String RETRY_MAX_DELAY = "JOB_RUNNER_RETRY_MAX_DELAY";
    public static final String LEASE_TIME = "JOB_RUNNER_LEASE_TIME";

    /** 256 KiB: the SQS message and Lambda async payload limit. */
    public static final long DEFAULT_MAX_TASK_PAYLOAD_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private final Settings settings;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final JobRequestStore store;
    private final ClassLoader classLoader;
    private final Map<Class<?>, Object> clients;
    private final String runner;
    private final long maxTaskPayloadBytes;
    private final int maxAttempts;
    private final RetryBackoff retryBackoff;
    private final Duration leaseTime;
    private final JobListeners listeners;

    /**
     * @throws InvalidSettingException naming the variable, the value and what is expected, for any
     *                                 value that does not parse or is out of range
     */
    JobRunnerConfig(Settings settings, HandlerRegistry handlers, PayloadCodec codec, JobRequestStore store,
                    ClassLoader classLoader, Map<Class<?>, Object> clients, JobListeners listeners) {
        this.listeners = listeners;
        this.settings = settings;
        this.handlers = handlers;
        this.codec = codec;
        this.store = store;
        this.classLoader = classLoader;
        this.clients = Map.copyOf(clients);
        this.runner = settings.string(JobRunners.JOB_RUNNER, JobRunners.DEFAULT_RUNNER);
        this.maxTaskPayloadBytes = settings.bytes(MAX_TASK_PAYLOAD_BYTES, DEFAULT_MAX_TASK_PAYLOAD_BYTES);
        this.maxAttempts = settings.integer(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1);
        Duration base = settings.duration(RETRY_BASE_DELAY, Duration.ofSeconds(5));
        Duration max = settings.duration(RETRY_MAX_DELAY, Duration.ofHours(1));
        this.retryBackoff = new RetryBackoff(base, max.compareTo(base) < 0 ? base : max);
        this.leaseTime = settings.duration(LEASE_TIME, Duration.ofSeconds(60));
    }

    /** Builds the runner {@link #runner()} names (see {@link JobRunners.Builder#build()}). */
    public JobRunner newRunner() {
        return JobRunners.newRunner(this);
    }

    /** The runner's name as configured ({@code JOB_RUNNER}, default {@value JobRunners#DEFAULT_RUNNER}). */
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

    /** The listeners given to the builder, as one (does nothing when none were). */
    public JobListeners listener() {
        return listeners;
    }

    /** The largest task payload, in bytes ({@code JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES}). */
    public long maxTaskPayloadBytes() {
        return maxTaskPayloadBytes;
    }

    /** Attempts of a job whose type's policy this process does not know ({@code JOB_RUNNER_MAX_ATTEMPTS}). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The first retry's delay ({@code JOB_RUNNER_RETRY_BASE_DELAY}); it doubles up to {@link #retryMaxDelay()}. */
    public Duration retryBaseDelay() {
        return retryBackoff.base();
    }

    public Duration retryMaxDelay() {
        return retryBackoff.max();
    }

    /** How long a claim holds a request before another worker may take it ({@code JOB_RUNNER_LEASE_TIME}). */
    public Duration leaseTime() {
        return leaseTime;
    }
}
