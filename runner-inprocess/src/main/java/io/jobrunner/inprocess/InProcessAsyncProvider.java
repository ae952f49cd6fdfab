package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;
import java.util.Set;

/** {@code inprocess-async} (alias {@code inprocess}), the default: a bounded pool in this process. */
public final class InProcessAsyncProvider implements JobRunnerProvider {

    public static final String NAME = "inprocess-async";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("inprocess");
    }

    @Override
    public List<String> missingSettings(Settings settings) {
        return List.of();
    }

    @Override
    public JobRunner create(RunnerContext context) {
        return new InProcessRunner(NAME, context, InProcessRunner.Mode.ASYNC, InProcessRunner.Mode.ASYNC);
    }
}
