package io.jobrunner.spring.boot;

import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import java.util.function.Supplier;

/**
 * The runner, built once on first use — a dispatch, or the start — rather than when its bean is
 * made, so a handler bean may depend on a service that depends on the {@code JobRunner} (the common
 * shape: a service dispatches the job its handler, a bean, carries out). Its settings can be checked
 * on their own, opening nothing, so the context's start refuses a bad configuration before the store
 * is opened.
 */
final class RunnerBuild {

    /** What a build made: the runner and the configuration the workers share. */
    record Built(JobRunner runner, JobRunnerConfig config) {
    }

    private final Supplier<String> check;
    private final Supplier<Built> build;
    private volatile Built built;
    private boolean closed;

    /**
     * @param check checks the settings and the runner's own settings, opening nothing; returns the
     *              runner's name
     * @param build builds the runner (opens the store)
     */
    RunnerBuild(Supplier<String> check, Supplier<Built> build) {
        this.check = check;
        this.build = build;
    }

    /** Checks what the build will need, opening nothing; the runner's name. */
    String check() {
        return check.get();
    }

    Built get() {
        Built current = built;
        if (current == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("The job runner was closed with the application context");
                }
                if (built == null) {
                    built = build.get();
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
