package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;

/** {@code inprocess-sync}: every task and job runs on the caller's thread before dispatch returns. */
public final class InProcessSyncProvider implements JobRunnerProvider {

    public static final String NAME = "inprocess-sync";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> missingSettings(Settings settings) {
        return List.of();
    }

    @Override
    public JobRunner create(RunnerContext context) {
        return new InProcessRunner(NAME, context, InProcessRunner.Mode.SYNC, InProcessRunner.Mode.SYNC);
    }
}
