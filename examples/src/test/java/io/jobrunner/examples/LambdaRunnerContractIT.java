package io.jobrunner.examples;

import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.ContractEffects;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The runner contract for {@code lambda-async}: the real handler jar under the Runtime Interface Client. */
class LambdaRunnerContractIT extends JobRunnerContractTest {

    private static PostgresFixture postgres;
    private static LambdaEmulator lambda;

    @BeforeAll
    static void deploy() {
        postgres = PostgresFixture.forTestClass(LambdaRunnerContractIT.class);
        JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()).close();
        lambda = LambdaFunction.deploy(postgres, 1, Map.of());
    }

    @AfterAll
    static void undeploy() {
        if (lambda != null) {
            lambda.close();
        }
        postgres.close();
    }

    @Override
    protected ContractEffects newEffects() {
        ContractEffects.Postgres effects = (ContractEffects.Postgres) ContractEffects.postgres(postgres.jdbcUrl());
        effects.clear();
        return effects;
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("JOB_RUNNER", "lambda-async", "JOB_RUNNER_LAMBDA_FUNCTION", LambdaFunction.NAME,
                "AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    @Override
    protected JobRequestStore openStore() {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return store;
    }

    @Override
    public Connection callerConnection() throws SQLException {
        return postgres.connect();
    }

    @Override
    public OptionalLong handOffsSeen() {
        return OptionalLong.of(lambda.acceptedEvents());
    }

    @Override
    protected String expectedRunnerName() {
        return "lambda-async";
    }
}
