package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class QueuedListenerTest {

    @Test
    void aStoppedListenerGivesItsConnectionBackToThePoolNoLongerListening() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(QueuedListenerTest.class);
             HikariDataSource pool = pool(postgres, 1)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.create(pool);
            AutoCloseable listening = store.watchQueued(ids -> { }).orElseThrow();
            listening.close();  // gives the pool's one connection back

            try (Connection reused = pool.getConnection();
                 Statement statement = reused.createStatement();
                 ResultSet channels = statement.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
                channels.next();
                assertThat(channels.getInt(1)).as("channels the pooled connection still listens on").isZero();
            }
        }
    }

    @Test
    void aDispatchForWorkersWakesTheListenerWithItsIdAndOneForNoWorkerDoesNot() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(QueuedListenerTest.class);
             HikariDataSource pool = pool(postgres, 3)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.create(pool);
            List<List<Long>> wakeUps = new CopyOnWriteArrayList<>();
            try (AutoCloseable listening = store.watchQueued(wakeUps::add).orElseThrow()) {
                store.insert(new NewJobRequest("report", null, "{}", null, null, 1, "inprocess-async"));
                Await.holdsFor("no wake-up for a request no worker waits for", Duration.ofMillis(600), wakeUps::isEmpty);
                long id = store.insert(new NewJobRequest("report", null, "{}", null, null, 1, "database").forWorkers())
                        .request().id();
                Await.until("the listener woke", Duration.ofSeconds(10), () -> !wakeUps.isEmpty());
                assertThat(wakeUps).as("the ids each wake-up named").containsExactly(List.of(id));
            }
        }
    }

    @Test
    void aBulkDispatchWakesTheListenerNamingNoIdSoTheWorkerLooksForAnyDueRequest() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(QueuedListenerTest.class);
             HikariDataSource pool = pool(postgres, 3)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.create(pool);
            List<List<Long>> wakeUps = new CopyOnWriteArrayList<>();
            try (AutoCloseable listening = store.watchQueued(wakeUps::add).orElseThrow()) {
                NewJobRequest request = new NewJobRequest("report", null, "{}", null, null, 1, "database").forWorkers();
                store.insertAll(List.of(request, request, request));
                Await.until("the listener woke", Duration.ofSeconds(10), () -> !wakeUps.isEmpty());
                assertThat(wakeUps).as("the ids each wake-up named").containsOnly(List.of());
            }
        }
    }

    private static HikariDataSource pool(PostgresFixture postgres, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }
}
