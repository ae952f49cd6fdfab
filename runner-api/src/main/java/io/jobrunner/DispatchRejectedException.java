package io.jobrunner;

/**
 * Work was not dispatched: the runner is closed, it stayed full past the dispatch timeout, or its
 * transport (a queue, a function invocation) did not accept a task. Nothing was sent.
 */
public final class DispatchRejectedException extends JobRunnerException {
    private final String runner;
    private final String name;

    public DispatchRejectedException(String runner, String name, String reason) {
        this(runner, name, reason, null);
    }

    public DispatchRejectedException(String runner, String name, String reason, Throwable cause) {
        super("Runner '" + runner + "' could not dispatch '" + name + "': " + reason, cause);
        this.runner = runner;
        this.name = name;
    }

    public String runner() {
        return runner;
    }

    /** The task name or job type that was not dispatched. */
    public String name() {
        return name;
    }
}
