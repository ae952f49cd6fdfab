package io.jobrunner;

import java.util.Set;

/** {@code JOB_RUNNER} names no runner on the class path. */
public final class UnknownRunnerException extends JobRunnerException {
    private final String requested;
    private final Set<String> available;

    public UnknownRunnerException(String requested, Set<String> available) {
        super("JOB_RUNNER='" + requested + "' names no runner on the class path; available: "
                + (available.isEmpty() ? "none (add a runner module such as runner-inprocess)" : String.join(", ", available))
                + ". Set JOB_RUNNER to one of them, or add the module that provides '" + requested + "'");
        this.requested = requested;
        this.available = Set.copyOf(available);
    }

    public String requested() {
        return requested;
    }

    public Set<String> available() {
        return available;
    }
}
