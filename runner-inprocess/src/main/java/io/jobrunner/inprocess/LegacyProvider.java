package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;

/**
 * Spoke's {@code legacy} runner: {@code JOBS_SAME_PROCESS} runs jobs in this process,
 * {@code JOBS_SYNC} awaits them, {@code TASKS_SYNC} awaits tasks. Without {@code JOBS_SAME_PROCESS}
 * it saves the row for a separate polling worker, as Spoke meant it: the {@code database} runner's
 * {@link DatabaseWorker}. Tasks always run in this process.
 */
public final class LegacyProvider implements JobRunnerProvider {

    public static final String NAME = "legacy";
    static final String JOBS_SAME_PROCESS = "JOBS_SAME_PROCESS";
    static final String JOBS_SYNC = "JOBS_SYNC";
    static final String TASKS_SYNC = "TASKS_SYNC";

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
        Settings settings = context.settings();
        InProcessRunner.Mode tasks = settings.flag(TASKS_SYNC, false) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        if (!settings.flag(JOBS_SAME_PROCESS, false)) {
            context.requireStoreForWorkers("JOB_RUNNER=" + NAME + " without "
                    + JOBS_SAME_PROCESS + "=true");
            return new InProcessRunner(NAME, context, tasks, InProcessRunner.Mode.WORKERS);
        }
        InProcessRunner.Mode jobs = settings.flag(JOBS_SYNC, false) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        return new InProcessRunner(NAME, context, tasks, jobs);
    }
}
