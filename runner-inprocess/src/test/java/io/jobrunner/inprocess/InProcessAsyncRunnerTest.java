package io.jobrunner.inprocess;

import io.jobrunner.JobRequestStore;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The runner contract for {@code inprocess-async} on PostgreSQL. */
class InProcessAsyncRunnerTest extends JobRunnerContractTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(InProcessAsyncRunnerTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", "inprocess-async");
    }

    @Override
    protected JobRequestStore openStore() {
        return PostgresStores.openEmpty(postgres);
    }

    @Override
    protected String expectedRunnerName() {
        return "inprocess-async";
    }
}
