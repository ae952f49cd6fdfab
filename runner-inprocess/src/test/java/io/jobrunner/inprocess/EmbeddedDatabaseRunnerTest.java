package io.jobrunner.inprocess;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunners;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.JobRunnerContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner contract for {@code database} on the embedded SQLite store, its worker polling (SQLite
 * cannot notify). The transactional part is skipped: the embedded store cannot join the caller's
 * transaction.
 */
class EmbeddedDatabaseRunnerTest extends JobRunnerContractTest {

    @TempDir
    static Path directory;

    private DatabaseWorker worker;

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", DatabaseRunnerProvider.NAME, "JOB_RUNNER_POLL_INTERVAL", "100ms");
    }

    @Override
    protected JobRequestStore openStore() {
        return EmbeddedJobRequestStore.openDirectory(directory.resolve(String.valueOf(System.nanoTime())));
    }

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
}
