package io.jobrunner.testkit;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own on the test PostgreSQL server, dropped on close. The server comes from
 * {@code JOB_RUNNER_TEST_DATABASE_URL}, default {@value #DEFAULT_URL}.
 */
public final class PostgresFixture implements AutoCloseable {

    public static final String URL_VARIABLE = "JOB_RUNNER_TEST_DATABASE_URL";
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String serverUrl;
    private final String schema;

    private PostgresFixture(String serverUrl, String schema) {
        this.serverUrl = serverUrl;
        this.schema = schema;
    }

    /** Creates a fresh schema named after the test class. */
    public static PostgresFixture forTestClass(Class<?> testClass) {
        String url = System.getenv().getOrDefault(URL_VARIABLE, DEFAULT_URL);
        String schema = ("t_" + testClass.getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (schema.length() > 60) {
            schema = schema.substring(0, 60);
        }
        PostgresFixture fixture = new PostgresFixture(url, schema);
        fixture.execute("CREATE SCHEMA " + schema);
        return fixture;
    }

    /** The server's JDBC URL, without a schema. */
    public String serverUrl() {
        return serverUrl;
    }

    /** The server's host, from its URL. */
    public String host() {
        return address().getHost();
    }

    /** The server's port, from its URL (5432 when it names none). */
    public int port() {
        int port = address().getPort();
        return port < 0 ? 5432 : port;
    }

    /** The server's URL with another host and port: a proxy's. */
    public String serverUrlThrough(String host, int port) {
        URI address = address();
        String hostPort = address.getRawAuthority();
        return serverUrl.replaceFirst(java.util.regex.Pattern.quote("//" + hostPort), "//" + host + ":" + port);
    }

    private URI address() {
        return URI.create(serverUrl.substring("jdbc:".length()));
    }

    public String schema() {
        return schema;
    }

    /** A JDBC URL whose connections use this fixture's schema. */
    public String jdbcUrl() {
        return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** Runs a statement in this fixture's schema. */
    /** Empties the job tables of this schema (requests with their logs, schedules, workers, pauses); the store must have created them. */
    public void truncateJobTables() {
        execute("TRUNCATE job_request, job_schedule, job_worker, job_pause, job_batch, job_dependency, job_limit, job_start RESTART IDENTITY CASCADE");
    }

    public void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(serverUrl);
             Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO " + schema);
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + serverUrl + " failed '" + sql + "': " + e.getMessage()
                    + ". Is the server running? Set " + URL_VARIABLE + " to point elsewhere", e);
        }
    }

    @Override
    public void close() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
