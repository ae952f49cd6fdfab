package io.jobrunner.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A lambda-async producer's readiness asks the function, by a dry run that runs nothing. */
class LambdaReadinessTest {

    @Test
    void aFunctionThatExistsIsReadyAndAMissingOneIsNamed() {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(LambdaReadinessTest.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 2,
                     postgres.schema());
             LambdaEmulator lambda = LambdaEmulator.start(new LambdaEmulator.Function("jobs",
                     "example.Handler::handleRequest", LambdaEmulator.runtimeClientJars(), Map.of(), 10, 0, 0));
             JobRunner ready = producer(lambda, "jobs", store);
             JobRunner lost = producer(lambda, "no-such-function", store)) {
            assertThat(ready.readiness().ready()).as(ready.readiness().problems().toString()).isTrue();
            assertThat(lost.readiness().problems())
                    .containsExactly("no function named no-such-function (JOB_RUNNER_LAMBDA_FUNCTION)");
            assertThat(lambda.acceptedEvents()).as("a dry run invokes nothing").isZero();
        }
    }

    private static JobRunner producer(LambdaEmulator lambda, String function, JdbiJobRequestStore store) {
        return JobRunners.builder().environment(Map.of("JOB_RUNNER", "lambda-async", "JOB_RUNNER_LAMBDA_FUNCTION", function,
                        "AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint(), "AWS_ACCESS_KEY_ID", "test",
                        "AWS_SECRET_ACCESS_KEY", "test", "AWS_REGION", "us-east-1"))
                .handlers(HandlerRegistry.empty()).store(store).build();
    }
}
