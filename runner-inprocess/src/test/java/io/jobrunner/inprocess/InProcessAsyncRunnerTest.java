package io.jobrunner.inprocess;

/** The runner contract for {@code inprocess-async} on PostgreSQL. */
class InProcessAsyncRunnerTest extends PostgresRunnerContractTest {

    @Override
    protected String expectedRunnerName() {
        return "inprocess-async";
    }
}
