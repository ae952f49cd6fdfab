package io.jobrunner.inprocess;

/** The runner contract for {@code inprocess-sync} on PostgreSQL. */
class InProcessSyncRunnerTest extends PostgresRunnerContractTest {

    @Override
    protected String expectedRunnerName() {
        return "inprocess-sync";
    }
}
