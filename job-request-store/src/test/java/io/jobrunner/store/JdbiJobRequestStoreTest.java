package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobQuery;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.JobRequestStoreContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
        postgres.execute("TRUNCATE job_request, job_schedule RESTART IDENTITY");
        return store;
    }

    private static NewJobRequest keyed(String key) {
        return new NewJobRequest("report", null, "{}", key, null, 1, "test");
    }

    @Test
    void anInsertThroughTheCallersConnectionCommitsOrRollsBackWithItsTransaction() throws Exception {
        // The caller's connection uses the default search path, not the store's schema: the store names its table.
        try (Connection connection = DriverManager.getConnection(postgres.serverUrl())) {
            connection.setAutoCommit(false);
            InsertResult first = store.insert(connection, keyed("in-tx"));
            InsertResult again = store.insert(connection, keyed("in-tx"));
            assertThat(first.created()).isTrue();
            assertThat(again.outcome()).isEqualTo(InsertResult.Outcome.EXISTING);
            assertThat(again.request().id()).isEqualTo(first.request().id());
            assertThat(store.find(first.request().id())).as("uncommitted, so unseen by the store's pool").isEmpty();
            connection.rollback();
            assertThat(store.list(JobQuery.all())).isEmpty();

            long committed = store.insert(connection, keyed("committed")).request().id();
            connection.commit();
            assertThat(store.find(committed)).isPresent();
        }
    }
}
