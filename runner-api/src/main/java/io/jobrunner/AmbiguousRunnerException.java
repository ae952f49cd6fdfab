package io.jobrunner;

import java.util.List;

/** Two or more providers on the class path claim the name {@code JOB_RUNNER} asks for. */
public final class AmbiguousRunnerException extends JobRunnerException {
    private final String requested;
    private final List<String> providers;

    public AmbiguousRunnerException(String requested, List<String> providers) {
        super("JOB_RUNNER='" + requested + "' is claimed by " + providers.size() + " providers: "
                + String.join(", ", providers) + ". Remove all but one of them from the class path");
        this.requested = requested;
        this.providers = List.copyOf(providers);
    }

    public String requested() {
        return requested;
    }

    /** Class names of the providers claiming the name. */
    public List<String> providers() {
        return providers;
    }
}
