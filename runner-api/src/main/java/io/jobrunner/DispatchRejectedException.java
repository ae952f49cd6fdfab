package io.jobrunner;

/** The runner refused new work: it is closed, or it stayed full past the dispatch timeout. */
public final class DispatchRejectedException extends JobRunnerException {
    private final String runner;
    private final String name;

    public DispatchRejectedException(String runner, String name, String reason) {
        super("Runner '" + runner + "' rejected '" + name + "': " + reason);
        this.runner = runner;
        this.name = name;
    }

    public String runner() {
        return runner;
    }

    /** The task name or job type that was refused. */
    public String name() {
        return name;
    }
}
