package io.jobrunner;

import java.util.List;

/** The runner {@code JOB_RUNNER} chose lacks settings it needs. */
public final class RunnerNotConfiguredException extends JobRunnerException {
    private final String runner;
    private final List<String> missing;

    /**
     * @param missing one entry per missing setting, each naming the variable and what to set
     */
    public RunnerNotConfiguredException(String runner, List<String> missing) {
        super("The job runner '" + runner + "' is not fully configured:\n  - " + String.join("\n  - ", missing));
        this.runner = runner;
        this.missing = List.copyOf(missing);
    }

    public String runner() {
        return runner;
    }

    public List<String> missing() {
        return missing;
    }
}
