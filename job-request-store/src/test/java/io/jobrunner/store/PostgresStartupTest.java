package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.JobQuery;
import io.jobrunner.JobStoreException;
import io.jobrunner.testkit.PostgresFixture;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What start-up says when the PostgreSQL settings are wrong, against the real server and a closed port. */
class PostgresStartupTest {

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void nothingListeningFailsFastWithHostPortCauseAndTheVariableInTheFirstLine() throws Exception {
        int port = closedPort();
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:" + port + "/test?user=postgres");
        long started = System.nanoTime();

        assertThatThrownBy(() -> JdbiJobRequestStore.open(url, 2, null, Duration.ofSeconds(5)))
                .isInstanceOf(JobStoreException.class)
                .satisfies(e -> assertThat(e.getMessage().lines().findFirst().orElseThrow())
                        .contains("127.0.0.1:" + port)
                        .contains("connection refused")
                        .contains("DATABASE_URL"));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("refused at once, not after a pool's 30 s timeout").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theProviderUsesTheConnectTimeoutSetting() throws Exception {
        int port = closedPort();
        DefaultJobRequestStoreProvider provider = new DefaultJobRequestStoreProvider();
        assertThatThrownBy(() -> provider.open(io.jobrunner.spi.Settings.of(Map.of(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:" + port + "/test",
                "JOB_RUNNER_DB_CONNECT_TIMEOUT", "2s"))))
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining("connection refused");
        assertThatThrownBy(() -> provider.open(io.jobrunner.spi.Settings.of(Map.of(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test",
                "JOB_RUNNER_DB_CONNECT_TIMEOUT", "soon"))))
                .hasMessageContaining("JOB_RUNNER_DB_CONNECT_TIMEOUT='soon'");
    }

    @Test
    void aDatabaseThatDoesNotExistIsNamed() {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(PostgresStartupTest.class)) {
            String server = postgres.serverUrl().replace("/test?", "/no_such_jobs_db?");
            assertThatThrownBy(() -> JdbiJobRequestStore.open(DatabaseUrl.parse(server), 1, null))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining("database 'no_such_jobs_db' does not exist")
                    .hasMessageContaining("DATABASE_URL");
        }
    }

    @Test
    void aSchemaThatDoesNotExistIsCreated() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(PostgresStartupTest.class)) {
            String schema = postgres.schema() + "_created";
            try {
                try (JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1,
                        schema)) {
                    assertThat(store.list(JobQuery.all())).isEmpty();
                }
                try (Connection connection = postgres.connect();
                     ResultSet tables = connection.createStatement().executeQuery(
                             "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema
                                     + "' AND table_name = 'job_request'")) {
                    tables.next();
                    assertThat(tables.getInt(1)).isEqualTo(1);
                }
            } finally {
                postgres.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            }
        }
    }
}
