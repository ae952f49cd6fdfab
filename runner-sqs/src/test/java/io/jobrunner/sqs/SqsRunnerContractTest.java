package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.JobRunnerContractTest;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The runner contract for {@code sqs}: producer and an {@link SqsWorker} on ElasticMQ, jobs in PostgreSQL. */
class SqsRunnerContractTest extends JobRunnerContractTest {

    private static PostgresFixture postgres;
    private static LocalSqs sqs;
    private LocalSqs.Queue queue;
    private SqsWorker worker;

    @BeforeAll
    static void startServers() {
        postgres = PostgresFixture.forTestClass(SqsRunnerContractTest.class);
        sqs = LocalSqs.start();
    }

    @AfterAll
    static void stopServers() {
        sqs.close();
        postgres.close();
    }

    @Override
    protected Map<String, String> environment() {
        if (queue == null) {
            queue = sqs.createQueue("contract", 30, 5);  // one queue per test, whatever runners the test builds
        }
        Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
        settings.put("JOB_RUNNER", "sqs");
        settings.put("JOB_RUNNER_SQS_WAIT_TIME", "1s");
        settings.put("JOB_RUNNER_HANDOFF_INTERVAL", "200ms");
        return settings;
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
        return OptionalLong.of(worker.received());
    }

    @Override
    protected String expectedRunnerName() {
        return "sqs";
    }

    @Override
    protected void startWorkers(Map<String, String> settings, HandlerRegistry handlers, JobRequestStore store) {
        worker = SqsWorker.create(settings, handlers, store).start();
    }

    @Override
    protected void stopWorkers() {
        worker.close();
    }
}
