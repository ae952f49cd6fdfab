package io.jobrunner.spi;

import io.jobrunner.JobRunner;
import java.util.List;
import java.util.Set;

/**
 * A backend, found through {@code ServiceLoader} and chosen by {@code JOB_RUNNER}. Listed in
 * {@code META-INF/services/io.jobrunner.spi.JobRunnerProvider}.
 *
 * <p>The constructor must be public, take no arguments and do nothing heavy; work happens in
 * {@link #create(RunnerContext)}. Implementations must be stateless and thread-safe.
 */
public interface JobRunnerProvider {

    /** The name {@code JOB_RUNNER} selects, e.g. {@code "sqs"}. */
    String name();

    /** Other names that select this provider, e.g. {@code "lambda"} for {@code "lambda-async"}. */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * What the runner still needs, one entry per missing setting, each naming the variable and what
     * to set. Empty when fully configured. Cheap: no network I/O.
     */
    List<String> missingSettings(Settings settings);

    /** Builds the runner; called only when {@link #missingSettings} is empty. */
    JobRunner create(RunnerContext context);
}
