package io.jobrunner.inprocess;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunners;
import io.jobrunner.spi.store.JobRequestStore;
import java.util.Map;
import java.util.OptionalLong;

/** The runner contract for {@code database} on PostgreSQL: the producer, and a {@link DatabaseWorker} woken by NOTIFY. */
class DatabaseRunnerContractTest extends PostgresRunnerContractTest {

    private DatabaseWorker worker;

    @Override
    protected String expectedRunnerName() {
        return DatabaseRunnerProvider.NAME;
    }

    @Override
    protected void startWorkers(Map<String, String> settings, HandlerRegistry handlers, JobRequestStore store) {
        worker = DatabaseWorker.create(JobRunners.builder().environment(settings).handlers(handlers).store(store).config())
                .start();
    }

    @Override
    protected void stopWorkers() {
        if (worker != null) {
            worker.close();
        }
    }

    /** Requests the worker claimed: a job rolled back with its transaction is never claimed. */
    @Override
    public OptionalLong handOffsSeen() {
        return OptionalLong.of(worker.claimed());
    }
}
