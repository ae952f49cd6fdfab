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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueuedListenerTest {

    @Test
    void aStoppedListenerGivesItsConnectionBackToThePoolNoLongerListening() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(QueuedListenerTest.class);
             HikariDataSource pool = pool(postgres, 1)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.create(pool);
            AutoCloseable listening = store.watchQueued(() -> { }).orElseThrow();
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
    void aDispatchForWorkersWakesTheListenerAndOneForNoWorkerDoesNot() throws Exception {
        try (PostgresFixture postgres = PostgresFixture.forTestClass(QueuedListenerTest.class);
             HikariDataSource pool = pool(postgres, 3)) {
            JdbiJobRequestStore store = JdbiJobRequestStore.create(pool);
            AtomicInteger wakeUps = new AtomicInteger();
            try (AutoCloseable listening = store.watchQueued(wakeUps::incrementAndGet).orElseThrow()) {
                store.insert(new NewJobRequest("report", null, "{}", null, null, 1, "inprocess-async"));
                Await.holdsFor("no wake-up for a request no worker waits for", Duration.ofMillis(600),
                        () -> wakeUps.get() == 0);
                store.insert(new NewJobRequest("report", null, "{}", null, null, 1, "database").forWorkers());
                Await.until("the listener woke", Duration.ofSeconds(10), () -> wakeUps.get() > 0);
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
