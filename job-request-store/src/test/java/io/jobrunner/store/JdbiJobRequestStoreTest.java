package io.jobrunner.store;

import io.jobrunner.JobRequestStore;
import io.jobrunner.testkit.JobRequestStoreContractTest;
import io.jobrunner.testkit.PostgresFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class JdbiJobRequestStoreTest extends JobRequestStoreContractTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(JdbiJobRequestStoreTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Override
    protected JobRequestStore openEmptyStore() {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.execute("TRUNCATE job_request RESTART IDENTITY");
        return store;
    }
}
