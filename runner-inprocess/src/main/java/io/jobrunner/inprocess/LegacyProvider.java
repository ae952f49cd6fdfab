package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;

/**
 * Spoke's {@code legacy} runner: {@code JOBS_SAME_PROCESS} runs jobs in this process,
 * {@code JOBS_SYNC} awaits them, {@code TASKS_SYNC} awaits tasks. Without {@code JOBS_SAME_PROCESS},
 * Spoke only saved the row for a separate polling worker; no such worker ships yet, so that case
 * is reported as missing configuration rather than saving jobs nobody runs.
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
        if (settings.flag(JOBS_SAME_PROCESS, false)) {
            return List.of();
        }
        return List.of(JOBS_SAME_PROCESS + " is not true: the legacy runner would only save jobs for a separate "
                + "polling worker, which this version does not ship. Set " + JOBS_SAME_PROCESS + "=true to run jobs in "
                + "this process (add " + JOBS_SYNC + "=true to await them), or choose JOB_RUNNER=inprocess-async");
    }

    @Override
    public JobRunner create(RunnerContext context) {
        Settings settings = context.settings();
        InProcessRunner.Mode jobs = settings.flag(JOBS_SYNC, false) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        InProcessRunner.Mode tasks = settings.flag(TASKS_SYNC, false) ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        return new InProcessRunner(NAME, context, tasks, jobs);
    }
}
