package io.jobrunner.inprocess;

import io.jobrunner.JobRunner;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.StoreScope;
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
        requireStoreOtherProcessesRead(context, "JOB_RUNNER=" + NAME);
        InProcessRunner.Mode tasks = context.settings().flag(LegacyProvider.TASKS_SYNC, false)
                ? InProcessRunner.Mode.SYNC : InProcessRunner.Mode.ASYNC;
        return new InProcessRunner(NAME, context, tasks, InProcessRunner.Mode.WORKERS);
    }

    /**
     * Workers in other processes must see the jobs: PostgreSQL, or the embedded store for processes on
     * one machine; never memory.
     */
    static void requireStoreOtherProcessesRead(RunnerContext context, String who) {
        if (!context.hasStore()) {
            throw context.noStore();
        }
        if (context.store().scope() == StoreScope.PROCESS) {
            throw new RunnerNotConfiguredException(who, List.of("DATABASE_URL: the jobs are run by workers in other "
                    + "processes, but this process keeps them in " + context.store().description() + ", which no other "
                    + "process can read. Set DATABASE_URL to the PostgreSQL database the workers share, or leave it "
                    + "unset to use the embedded store in ./.jobrunner/ with workers on this machine"));
        }
    }
}
