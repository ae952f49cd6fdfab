package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;
import java.util.Set;

/**
 * {@code database} (alias {@code db}): jobs are stored and run by {@link DatabaseWorker}s in other
 * processes, which claim them from the same database; tasks, which are never stored, run in this
 * process on its pool ({@code TASKS_SYNC=true}: on the caller's thread).
 */
public final class DatabaseRunnerProvider implements JobRunnerProvider {

    public static final String NAME = "database";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("db");
    }

    @Override
    public List<String> missingSettings(Settings settings) {
        return List.of();
    }

    @Override
    public JobRunner create(RunnerContext context) {
        context.requireStoreForWorkers("JOB_RUNNER=" + NAME);
        InProcessRunner.Mode tasks = LegacyProvider.taskMode(context.config().settings());
        return new InProcessRunner(NAME, context, tasks, InProcessRunner.Mode.WORKERS);
    }
}
