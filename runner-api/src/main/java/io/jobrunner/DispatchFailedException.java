package io.jobrunner;

/** The transport (a queue, a function invocation) did not accept the work; a task was not sent. */
public final class DispatchFailedException extends JobRunnerException {
    private final String runner;
    private final String name;

    public DispatchFailedException(String runner, String name, String reason, Throwable cause) {
        super("Runner '" + runner + "' could not send '" + name + "': " + reason, cause);
        this.runner = runner;
        this.name = name;
    }

    public String runner() {
        return runner;
    }

    /** The task name or job type that was not sent. */
    public String name() {
        return name;
    }
}
