package io.jobrunner.store;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.JobRequestStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store: SQLite in a directory. */
class EmbeddedStoreContractTest extends JobRequestStoreContractTest {

    @TempDir
    Path directory;

    @Override
    protected JobRequestStore openEmptyStore() {
        return EmbeddedJobRequestStore.openDirectory(directory);
    }
}
