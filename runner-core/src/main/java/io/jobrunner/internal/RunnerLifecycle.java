package io.jobrunner.internal;

import io.jobrunner.DispatchRejectedException;
import io.jobrunner.JobStoreException;
import io.jobrunner.Readiness;
import io.jobrunner.spi.RunnerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;

/** Open until closed, once: what every runner does with dispatches after {@code close()}. Thread-safe. */
public final class RunnerLifecycle {

    /** One step of closing a runner. */
    @FunctionalInterface
    public interface Step {
        void close() throws Exception;
    }

    private final String runner;
    private final AtomicBoolean closed = new AtomicBoolean();

    public RunnerLifecycle(String runner) {
        this.runner = runner;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * What a runner's readiness check finds: closed (and nothing asked, its clients being closed too);
     * else no store, a store that does not answer, and what {@code transportProblem} finds, if any.
     */
    public Readiness readiness(RunnerContext context, Supplier<Optional<String>> transportProblem) {
        if (!isOpen()) {
            return Readiness.of(List.of("runner '" + runner + "' is closed"));
        }
        List<String> problems = new ArrayList<>();
        if (!context.hasStore()) {
            problems.add("runner '" + runner + "' has no store, so it cannot take jobs");
        }
        problems.addAll(context.storeProblems());
        transportProblem.get().ifPresent(problems::add);
        return Readiness.of(problems);
    }

    /** @throws DispatchRejectedException naming the task or job, once the runner is closed */
    public void ensureOpen(String what) {
        if (closed.get()) {
            throw new DispatchRejectedException(runner, what, "the runner is closed");
        }
    }

    /**
     * Closes once: runs every step in order, each even when an earlier one failed (a {@code null}
     * step is skipped), then rethrows the first failure.
     */
    public void closeOnce(Step... steps) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException first = null;
        for (Step step : steps) {
            if (step == null) {
                continue;
            }
            try {
                step.close();
            } catch (Exception e) {
                RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                        : new JobStoreException("Closing runner '" + runner + "' failed: " + e, e);
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
