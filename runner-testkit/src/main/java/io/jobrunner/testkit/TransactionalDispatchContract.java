package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.store.JobRequestStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Dispatch inside the caller's database transaction, on every runner whose store is PostgreSQL:
 * the request commits or rolls back with the caller's row, and nothing is handed off before the
 * commit. Mixed into {@link JobRunnerContractTest}.
 */
interface TransactionalDispatchContract {

    Duration TIMEOUT = Duration.ofSeconds(30);

    JobRunner runner();

    JobRequestStore store();

    ContractEffects effects();

    /** A new connection to the store's database, as the application would hold; {@code null} when the store is not PostgreSQL. */
    Connection callerConnection() throws SQLException;

    /**
     * How many hand-offs (messages, invocations) the backend has received so far; empty for backends
     * without a transport (in-process), where a hand-off shows only as the job running.
     */
    OptionalLong handOffsSeen();

    private Connection connectionWithOrders() throws SQLException {
        Connection connection = callerConnection();
        assumeTrue(connection != null, "this runner's store is not PostgreSQL, so it cannot join a transaction");
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS contract_order (id text PRIMARY KEY)");
        }
        return connection;
    }

    private static void insertOrder(Connection connection, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO contract_order (id) VALUES (?)")) {
            statement.setString(1, id);
            statement.executeUpdate();
        }
    }

    private static boolean orderExists(Connection connection, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM contract_order WHERE id = ?")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    @Test
    default void aJobDispatchedInACommittedTransactionIsStoredWithTheCallersRowAndRunsAfterTheCommit() throws Exception {
        try (Connection connection = connectionWithOrders()) {
            JobRequest dispatched = runner().inTransaction(connection, tx -> {
                insertOrder(tx.connection(), "order-committed");
                JobRequest request = tx.dispatchJob(JobData.builder("count").payload("tx-committed")
                        .dedupKey("tx-committed").build());
                assertThat(store().find(request.id())).as("invisible outside the transaction before the commit").isEmpty();
                assertThat(effects().count("tx-committed")).isZero();
                return request;
            });

            JobRequest done = runner().awaitCompletion(dispatched.id(), TIMEOUT).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(effects().count("tx-committed")).isEqualTo(1);
            assertThat(orderExists(connection, "order-committed")).isTrue();
            assertThat(connection.getAutoCommit()).isTrue();
        }
    }

    @Test
    default void aRolledBackTransactionLeavesNoJobRequestAndSendsNothing() throws Exception {
        try (Connection connection = connectionWithOrders()) {
            OptionalLong handOffsBefore = handOffsSeen();
            IllegalStateException declined = new IllegalStateException("payment declined");

            assertThatThrownBy(() -> runner().inTransaction(connection, tx -> {
                insertOrder(tx.connection(), "order-rolled-back");
                tx.dispatchJob(JobData.builder("count").payload("tx-rolled-back").dedupKey("tx-rolled-back").build());
                throw declined;
            })).isSameAs(declined);

            assertThat(store().findByDedupKey("tx-rolled-back")).isEmpty();
            assertThat(orderExists(connection, "order-rolled-back")).isFalse();
            Await.holdsFor("nothing ran and nothing was handed off", Duration.ofMillis(1500),
                    () -> effects().count("tx-rolled-back") == 0
                            && (handOffsBefore.isEmpty() || handOffsSeen().equals(handOffsBefore)));
        }
    }

    @Test
    default void aJobStoredInTheCallersOwnTransactionIsHandedOffWhenAskedAfterTheCommit() throws Exception {
        try (Connection connection = connectionWithOrders()) {
            connection.setAutoCommit(false);
            insertOrder(connection, "order-by-hand");
            JobRequest stored = runner().dispatchJob(connection, JobData.builder("count").payload("tx-by-hand").build());
            assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
            connection.commit();

            runner().handOff(List.of(stored));

            JobRequest done = runner().awaitCompletion(stored.id(), TIMEOUT).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(effects().count("tx-by-hand")).isEqualTo(1);
        }
    }
}
