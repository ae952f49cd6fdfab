package io.jobrunner.internal;

import io.jobrunner.DispatchRejectedException;
import io.jobrunner.JobStoreException;
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
