package io.jobrunner.spring.boot;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The runner, built once on first use — a dispatch, or the context's start — rather than when its
 * bean is made, so a handler bean may depend on a service that depends on the {@code JobRunner}
 * (the common shape: a service dispatches the job its handler, a bean, carries out).
 */
final class RunnerBuild {

    /** What a build made: the runner and the configuration the workers share. */
    record Built(JobRunner runner, JobRunnerConfig config) {
    }

    private final Supplier<HandlerRegistry> handlers;
    private final Function<HandlerRegistry, Built> build;
    private volatile Built built;
    private boolean closed;

    RunnerBuild(Supplier<HandlerRegistry> handlers, Function<HandlerRegistry, Built> build) {
        this.handlers = handlers;
        this.build = build;
    }

    Built get() {
        Built current = built;
        if (current == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("The job runner was closed with the application context");
                }
                if (built == null) {
                    built = build.apply(handlers.get());
                }
                current = built;
            }
        }
        return current;
    }

    /** Closes the runner if it was built; a later {@link #get()} fails. */
    synchronized void close() {
        closed = true;
        if (built != null) {
            built.runner().close();
        }
    }
}
