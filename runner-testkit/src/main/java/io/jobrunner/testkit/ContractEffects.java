package io.jobrunner.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where the contract's handlers leave what they did, so a test can check it: in memory when the
 * handlers run in the test's JVM, in a PostgreSQL table when they run in another process (a
 * worker, a function under the Lambda runtime). Thread-safe.
 */
public interface ContractEffects {

    /** The variable that gives handlers in another process the JDBC URL of the effects table. */
    String URL_VARIABLE = "JOB_RUNNER_CONTRACT_EFFECTS_URL";

    /** Notes that something of a kind happened, e.g. ("greet", "Ada:3"). */
    void record(String kind, String value);

    /** Everything noted of a kind, in no particular order. */
    List<String> recorded(String kind);

    /** Counts one more run under a key; returns the count including it. */
    int increment(String key);

    int count(String key);

    /** Effects kept in this JVM. */
    static ContractEffects inMemory() {
        return new InMemory();
    }

    /** Effects in table {@code contract_effect} of the database the JDBC URL names (created if absent). */
    static ContractEffects postgres(String jdbcUrl) {
        return new Postgres(jdbcUrl);
    }

    /** For handlers built by {@code ServiceLoader}: PostgreSQL when {@link #URL_VARIABLE} is set, else one shared in-memory set. */
    static ContractEffects fromEnvironment() {
        String url = System.getenv(URL_VARIABLE);
        return url == null || url.isBlank() ? InMemory.SHARED : postgres(url);
    }

    final class InMemory implements ContractEffects {
        static final InMemory SHARED = new InMemory();
        private final Map<String, Queue<String>> records = new ConcurrentHashMap<>();
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();

        @Override
        public void record(String kind, String value) {
            records.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(value);
        }

        @Override
        public List<String> recorded(String kind) {
            return List.copyOf(records.getOrDefault(kind, new ConcurrentLinkedQueue<>()));
        }

        @Override
        public int increment(String key) {
            return counts.merge(key, 1, Integer::sum);
        }

        @Override
        public int count(String key) {
            return counts.getOrDefault(key, 0);
        }
    }

    final class Postgres implements ContractEffects {
        private final String url;

        Postgres(String url) {
            this.url = url;
            update("CREATE TABLE IF NOT EXISTS contract_effect (kind text NOT NULL, value text NOT NULL)");
        }

        /** Forgets every effect. */
        public void clear() {
            update("DELETE FROM contract_effect");
        }

        @Override
        public void record(String kind, String value) {
            insert(kind, value);
        }

        @Override
        public List<String> recorded(String kind) {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement select = connection.prepareStatement("SELECT value FROM contract_effect WHERE kind = ?")) {
                select.setString(1, kind);
                List<String> values = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        values.add(rows.getString(1));
                    }
                }
                return values;
            } catch (SQLException e) {
                throw new IllegalStateException("Could not read contract effects: " + e.getMessage(), e);
            }
        }

        @Override
        public int increment(String key) {
            insert("count:" + key, "1");
            return count(key);
        }

        @Override
        public int count(String key) {
            return recorded("count:" + key).size();
        }

        private void insert(String kind, String value) {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO contract_effect (kind, value) VALUES (?, ?)")) {
                insert.setString(1, kind);
                insert.setString(2, value);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("Could not record a contract effect: " + e.getMessage(), e);
            }
        }

        private void update(String sql) {
            try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("Could not prepare the contract effects table: " + e.getMessage(), e);
            }
        }
    }
}
