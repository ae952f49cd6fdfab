package io.jobrunner.inprocess;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The runner contract on PostgreSQL, in a schema per test class, for the runner named by the subclass. */
abstract class PostgresRunnerContractTest extends JobRunnerContractTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(PostgresRunnerContractTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", expectedRunnerName());
    }

    @Override
    public Connection callerConnection() throws SQLException {
        return postgres.connect();
    }

    @Override
    protected JobRequestStore openStore() {
        return PostgresStores.openEmpty(postgres);
    }
}
