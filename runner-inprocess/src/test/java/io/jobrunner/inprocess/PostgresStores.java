package io.jobrunner.inprocess;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;

/** Empty PostgreSQL stores in a test class's own schema. */
final class PostgresStores {

    private PostgresStores() {
    }

    static JobRequestStore openEmpty(PostgresFixture postgres) {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return store;
    }
}
