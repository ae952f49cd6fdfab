package io.jobrunner.inprocess;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.JobRunnerContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The runner contract for Spoke's {@code legacy} names, jobs awaited, on the embedded store. */
class LegacyRunnerTest extends JobRunnerContractTest {

    @TempDir
    static Path directory;

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", "legacy", "JOBS_SAME_PROCESS", "true", "JOBS_SYNC", "true");
    }

    @Override
    protected JobRequestStore openStore() {
        return EmbeddedJobRequestStore.openDirectory(directory.resolve(String.valueOf(System.nanoTime())));
    }

    @Override
    protected String expectedRunnerName() {
        return "legacy";
    }
}
