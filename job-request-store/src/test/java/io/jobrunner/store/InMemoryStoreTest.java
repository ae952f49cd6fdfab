package io.jobrunner.store;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.JobRequestStoreContractTest;

class InMemoryStoreTest extends JobRequestStoreContractTest {

    @Override
    protected JobRequestStore openEmptyStore() {
        return EmbeddedJobRequestStore.inMemory();
    }
}
