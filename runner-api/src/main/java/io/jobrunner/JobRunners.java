package io.jobrunner;

import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.StoreDiscovery;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link JobRunner} that {@code JOB_RUNNER} names, from the providers found on the class
 * path with {@code ServiceLoader}. Unset means {@value #DEFAULT_RUNNER}. There is never a silent
 * fallback: an unknown name, two providers for one name, or a runner missing settings is an error.
 *
 * <p>Stateless and thread-safe.
 */
public final class JobRunners {

    public static final String JOB_RUNNER = "JOB_RUNNER";
    public static final String DEFAULT_RUNNER = "inprocess-async";

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

    /** The options of a runner; not thread-safe. */
    public static final class Builder {
        private Map<String, String> environment;
        private HandlerRegistry handlers;
        private JobRequestStore store;
        private PayloadCodec codec;
        private ClassLoader classLoader;

        private Builder() {
        }

        /** Settings to read instead of the process environment. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
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

        /** The class loader providers and handlers are discovered from (default: this class's). */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /**
         * Picks the provider, checks its settings, opens the store and builds the runner.
         *
         * @throws UnknownRunnerException        when no provider has the name
         * @throws AmbiguousRunnerException      when several do
         * @throws RunnerNotConfiguredException  when the chosen runner lacks settings
         */
        public JobRunner build() {
            Settings settings = environment == null ? Settings.fromEnvironment() : Settings.of(environment);
            ClassLoader loader = classLoader != null ? classLoader : JobRunners.class.getClassLoader();
            String requested = settings.string(JOB_RUNNER, DEFAULT_RUNNER);
            JobRunnerProvider provider = RunnerSelection.select(requested, loader);
            List<String> missing = provider.missingSettings(settings);
            if (!missing.isEmpty()) {
                throw new RunnerNotConfiguredException(provider.name(), missing);
            }
            HandlerRegistry registry = handlers != null ? handlers : HandlerRegistry.builder().discover(loader).build();
            boolean ownsStore = store == null;
            JobRequestStore chosenStore = store != null ? store : StoreDiscovery.open(settings, loader).orElse(null);
            PayloadCodec chosenCodec = codec != null ? codec : RunnerContext.codecFor(settings);
            RunnerContext context = new RunnerContext(settings, registry, chosenCodec, chosenStore, ownsStore);
            try {
                return provider.create(context);
            } catch (RuntimeException e) {
                context.close();
                throw e;
            }
        }
    }
}
