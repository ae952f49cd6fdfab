package io.jobrunner.lambda;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadCodec;
import io.jobrunner.spi.JobExecutor;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.StoreDiscovery;
import java.util.Optional;
import java.util.UUID;

/**
 * What the handler needs, built once per container and lazily: handlers are read from
 * {@code META-INF/services} (no class-path scanning); the store, its connection pool and the
 * Lambda client are opened only when an event needs them. Thread-safe.
 */
final class FunctionRuntime {

    private final Settings settings;
    private final HandlerRegistry handlers;
    private final String owner;
    private final PayloadCodec codec;
    private volatile RunnerContext context;
    private volatile JobExecutor executor;
    private volatile Optional<LambdaSettings> lambdaSettings;
    private volatile LambdaInvoker invoker;

    FunctionRuntime(Settings settings, HandlerRegistry handlers) {
        this.settings = settings;
        this.handlers = handlers;
        this.codec = RunnerContext.codecFor(settings);
        this.owner = "lambda@" + settings.string(LambdaSettings.OWN_FUNCTION, "function") + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    static FunctionRuntime fromEnvironment() {
        ClassLoader loader = FunctionRuntime.class.getClassLoader();
        return new FunctionRuntime(Settings.fromEnvironment(), HandlerRegistry.builder().discover(loader).build());
    }

    HandlerRegistry handlers() {
        return handlers;
    }

    PayloadCodec codec() {
        return codec;
    }

    String owner() {
        return owner;
    }

    synchronized RunnerContext context() {
        if (context == null) {
            JobRequestStore store = StoreDiscovery.open(settings, FunctionRuntime.class.getClassLoader())
                    .orElseThrow(() -> new JobStoreException("The function has no job request store: include "
                            + "io.jobrunner:job-request-store in the jar and set DATABASE_URL"));
            RunnerContext opened = new RunnerContext(settings, handlers, codec(), store, true);
            try {
                opened.requireSharedStore("the Lambda function");
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            context = opened;
        }
        return context;
    }

    JobRequestStore store() {
        return context().store();
    }

    synchronized JobExecutor executor() {
        if (executor == null) {
            executor = JobExecutor.forContext(context());
        }
        return executor;
    }

    /** The function jobs are handed to, when this function is configured to dispatch to one. */
    synchronized Optional<LambdaSettings> lambdaSettings() {
        if (lambdaSettings == null) {
            lambdaSettings = LambdaSettings.missing(settings).isEmpty() ? Optional.of(LambdaSettings.from(settings))
                    : Optional.empty();
        }
        return lambdaSettings;
    }

    synchronized LambdaInvoker invoker(LambdaSettings target) {
        if (invoker == null) {
            invoker = new LambdaInvoker(target);
        }
        return invoker;
    }
}
