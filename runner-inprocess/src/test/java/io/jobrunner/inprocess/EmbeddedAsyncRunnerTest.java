package io.jobrunner.inprocess;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.JobRunnerContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner contract for the default set-up: {@code inprocess-async} on the embedded SQLite store
 * (the transactional part is skipped: the embedded store cannot join the caller's transaction).
 */
class EmbeddedAsyncRunnerTest extends JobRunnerContractTest {

    @TempDir
    static Path directory;

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", "inprocess-async");
    }

    @Override
    protected JobRequestStore openStore() {
        return EmbeddedJobRequestStore.openDirectory(directory.resolve(String.valueOf(System.nanoTime())));
    }

    @Override
    protected String expectedRunnerName() {
        return "inprocess-async";
    }
}
