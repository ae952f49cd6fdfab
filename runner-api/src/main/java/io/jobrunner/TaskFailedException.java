package io.jobrunner;

/** A task run on the caller's thread ({@code inprocess-sync}) threw; the cause is the handler's exception. */
public final class TaskFailedException extends JobRunnerException {
    private final String taskName;

    public TaskFailedException(String taskName, Throwable cause) {
        super("Task '" + taskName + "' failed: " + cause, cause);
        this.taskName = taskName;
    }

    public String taskName() {
        return taskName;
    }
}
