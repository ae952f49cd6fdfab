package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.Setting;
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
        Settings settings = context.config().settings();
        InProcessRunner.Mode tasks = taskMode(settings);
        if (!runsJobsInProcess(settings)) {
            context.requireStoreForWorkers("JOB_RUNNER=" + NAME + " without "
                    + Setting.JOBS_SAME_PROCESS.variable() + "=true");
            return new InProcessRunner(NAME, context, tasks, InProcessRunner.Mode.WORKERS);
        }
        InProcessRunner.Mode jobs = settings.flag(Setting.JOBS_SYNC) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        return new InProcessRunner(NAME, context, tasks, jobs);
    }

    /**
     * True when {@code legacy} runs jobs in the dispatching process ({@code JOBS_SAME_PROCESS}); false
     * when it only stores them for {@code database} workers, as Spoke's polling worker did.
     */
    public static boolean runsJobsInProcess(Settings settings) {
        return settings.flag(Setting.JOBS_SAME_PROCESS);
    }

    /** Tasks on the caller's thread with {@code TASKS_SYNC}, else on the runner's threads. */
    static InProcessRunner.Mode taskMode(Settings settings) {
        return settings.flag(Setting.TASKS_SYNC) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
    }
}
