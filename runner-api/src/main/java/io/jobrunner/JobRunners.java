package io.jobrunner;

import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link JobRunner} that {@code JOB_RUNNER} names, from the providers found on the class
 * path with {@code ServiceLoader}. Unset means {@code inprocess-async}. There is never a silent
 * fallback: an unknown name, two providers for one name, or a runner missing settings is an error.
 *
 * <p>Stateless and thread-safe.
 */
public final class JobRunners {

    private JobRunners() {
    }

    /** The runner the process environment names, with handlers discovered from the class path. */
    public static JobRunner fromEnvironment() {
        return builder().build();
    }

    /** The runner the given settings name, with handlers discovered from the class path. */
    public static JobRunner fromEnvironment(Map<String, String> environment) {
        return builder().environment(environment).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Picks the provider the config names, checks its settings, opens the store and builds the runner. */
    static JobRunner newRunner(JobRunnerConfig config) {
        JobRunnerProvider provider = checkedProvider(config.runner(), config.classLoader(), config.settings());
        RunnerContext context = RunnerContext.open(config);
        try {
            JobRunner runner = provider.create(context);
            config.listener().opened(runner.name(), runner.jobs());
            return config.tracer() == JobTracer.NONE ? runner : new TracedJobRunner(runner, config.tracer());
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** The provider {@code runner} names, once it is known to have every setting it needs. */
    private static JobRunnerProvider checkedProvider(String runner, ClassLoader loader, Settings settings) {
        JobRunnerProvider provider = RunnerSelection.select(runner, loader);
        List<String> missing = provider.missingSettings(settings);
        if (!missing.isEmpty()) {
            throw new RunnerNotConfiguredException(provider.name(), missing);
        }
        return provider;
    }

    /**
     * The options of a runner, a worker or the Lambda handler: settings from the environment (or a
     * map) with builder calls on top, handlers, codec, store and clients. Not thread-safe.
     */
    public static final class Builder {
        private Map<String, String> environment;
        private final Map<String, String> overrides = new HashMap<>();
        private HandlerRegistry handlers;
        private JobRequestStore store;
        private PayloadCodec codec;
        private ClassLoader classLoader;
        private final Map<Class<?>, Object> clients = new HashMap<>();
        private final List<JobListener> listeners = new ArrayList<>();
        private JobTracer tracer = JobTracer.NONE;

        private Builder() {
        }

        /** Settings to read instead of the process environment. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** One setting by its variable name, over what the environment says (e.g. {@code "JOB_RUNNER_CONCURRENCY", "16"}). */
        public Builder setting(String name, String value) {
            overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** One setting, over what the environment says (e.g. {@code setting(Setting.CONCURRENCY, "16")}). */
        public Builder setting(Setting setting, String value) {
            return setting(Objects.requireNonNull(setting, "setting").variable(), value);
        }

        /** The runner to build ({@code JOB_RUNNER}), e.g. {@code "sqs"}. */
        public Builder runner(String name) {
            return setting(Setting.RUNNER, name);
        }

        /** How long a claim holds a job before another worker may take it ({@code JOB_RUNNER_LEASE_TIME}). */
        public Builder leaseTime(Duration leaseTime) {
            return setting(Setting.LEASE_TIME, leaseTime.toMillis() + "ms");
        }

        /** Attempts of a job whose type's policy this process does not know ({@code JOB_RUNNER_MAX_ATTEMPTS}). */
        public Builder maxAttempts(int maxAttempts) {
            return setting(Setting.MAX_ATTEMPTS, Integer.toString(maxAttempts));
        }

        /** The handlers this process runs; without this, those listed in META-INF/services. */
        public Builder handlers(HandlerRegistry handlers) {
            this.handlers = Objects.requireNonNull(handlers, "handlers");
            return this;
        }

        /** The store for job requests; the caller keeps ownership and closes it. */
        public Builder store(JobRequestStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The codec for payloads and results; without this, the one {@code JOB_RUNNER_PAYLOADS} names (strict by default). */
        public Builder codec(PayloadCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * A client of the application's to use instead of building one from the settings, e.g.
         * {@code client(SqsClient.class, sqs)} or {@code client(LambdaClient.class, lambda)}. The
         * application keeps it and closes it.
         */
        public <T> Builder client(Class<T> type, T client) {
            clients.put(Objects.requireNonNull(type, "type"), type.cast(Objects.requireNonNull(client, "client")));
            return this;
        }

        /**
         * Told of dispatches, attempts and workers in this process, e.g. {@code new JobRunnerMetrics(registry)};
         * several may be added, and are called in order.
         */
        public Builder listener(JobListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Traces each dispatch and each run, carrying the trace from one to the other across processes,
         * e.g. {@code JobObservations.of(observationRegistry)}; without this nothing is traced.
         */
        public Builder tracer(JobTracer tracer) {
            this.tracer = Objects.requireNonNull(tracer, "tracer");
            return this;
        }

        /** The class loader providers and handlers are discovered from (default: this class's). */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /**
         * Checks, opening nothing and making no handler or codec, what {@link #build()} checks first:
         * every setting parses, and a runner of the chosen name is on the class path with every
         * setting it needs. Returns its name (an alias resolved). Cheap enough for a start-up path.
         *
         * @throws InvalidSettingException      naming the variable and value that do not parse
         * @throws UnknownRunnerException       when no provider has the name
         * @throws AmbiguousRunnerException     when several do
         * @throws RunnerNotConfiguredException when the runner lacks settings, naming them all
         */
        public String checkRunner() {
            Settings settings = settings();
            settings.validate();
            return checkedProvider(settings.string(Setting.RUNNER), loader(), settings).name();
        }

        private Settings settings() {
            Map<String, String> values = new HashMap<>(environment == null ? System.getenv() : environment);
            values.putAll(overrides);
            return Settings.of(values);
        }

        private ClassLoader loader() {
            return classLoader != null ? classLoader : JobRunners.class.getClassLoader();
        }

        /**
         * Reads and checks the settings and resolves handlers and codec, for a runner, an
         * {@code SqsWorker} or a {@code JobRunnerHandler} to share.
         *
         * @throws InvalidSettingException naming the variable and value that do not parse
         */
        public JobRunnerConfig config() {
            Settings settings = settings();
            ClassLoader loader = loader();
            HandlerRegistry registry = handlers != null ? handlers : HandlerRegistry.builder().discover(loader).build();
            PayloadCodec chosenCodec = codec != null ? codec : PayloadCodec.forSetting(settings.get(Setting.PAYLOADS).orElse(null));
            if (settings.flag(Setting.PAYLOADS_IN_ERRORS)) {
                chosenCodec = chosenCodec.withPayloadsInErrors();
            }
            return new JobRunnerConfig(settings, registry, chosenCodec, store, loader, clients,
                    List.copyOf(listeners), tracer);
        }

        /**
         * Picks the provider, checks its settings, opens the store and builds the runner.
         *
         * @throws UnknownRunnerException        when no provider has the name
         * @throws AmbiguousRunnerException      when several do
         * @throws RunnerNotConfiguredException  when the chosen runner lacks settings
         * @throws InvalidSettingException       when a setting does not parse
         */
        public JobRunner build() {
            return config().newRunner();
        }
    }
}
