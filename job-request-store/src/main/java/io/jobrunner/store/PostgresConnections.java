package io.jobrunner.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.JobStoreException;
import io.jobrunner.Setting;
import io.jobrunner.spi.Settings;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the PostgreSQL connection pool, after one probe connection that fails fast and says what
 * to fix: the server cannot be reached (host, port and cause), the database or the login is wrong,
 * or the schema does not exist yet (it is created). Stateless.
 */
final class PostgresConnections {

    static final Duration DEFAULT_CONNECT_TIMEOUT = Settings.of(Map.of()).duration(Setting.DB_CONNECT_TIMEOUT);
    private static final Logger log = LoggerFactory.getLogger(PostgresConnections.class);

    private PostgresConnections() {
    }

    static HikariDataSource pool(DatabaseUrl url, int poolSize, String schema, Duration connectTimeout) {
        probe(url, schema, connectTimeout);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        if (schema != null) {
            config.setSchema(schema);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("jobrunner-store");
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
        config.addDataSourceProperty("connectTimeout", String.valueOf(seconds(connectTimeout)));
        // The server's error detail repeats a failing row's values (payloads, results): not in our messages.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        return new HikariDataSource(config);
    }

    /** One connection, made with the timeout, that turns the driver's failure into what to fix. */
    private static void probe(DatabaseUrl url, String schema, Duration connectTimeout) {
        Properties properties = new Properties();
        if (url.user() != null) {
            properties.setProperty("user", url.user());
        }
        if (url.password() != null) {
            properties.setProperty("password", url.password());
        }
        properties.setProperty("connectTimeout", String.valueOf(seconds(connectTimeout)));
        properties.setProperty("loginTimeout", String.valueOf(seconds(connectTimeout)));
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), properties)) {
            if (schema != null) {
                ensureSchema(connection, schema);
            }
        } catch (SQLException e) {
            throw unreachable(url, e, connectTimeout);
        }
    }

    private static void ensureSchema(Connection connection, String schema) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
            query.setString(1, schema);
            try (ResultSet found = query.executeQuery()) {
                found.next();
                if (found.getInt(1) > 0) {
                    return;
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "\"\"") + "\"");
            log.info("Created schema {} for job requests ({})", schema, Setting.DB_SCHEMA.variable());
        } catch (SQLException e) {
            throw new JobStoreException("Schema '" + schema + "' named by " + Setting.DB_SCHEMA.variable()
                    + " does not exist and could not be created: " + e.getMessage() + ". Create it (CREATE SCHEMA \""
                    + schema + "\"), grant this user CREATE on the database, or unset " + Setting.DB_SCHEMA.variable(), e);
        }
    }

    static JobStoreException unreachable(DatabaseUrl url, SQLException e, Duration connectTimeout) {
        String where = url.host() + ":" + url.port();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String fix;
        if (state.equals("3D000")) {
            fix = "database '" + url.database() + "' does not exist on " + where + ". Create it, or fix the database name in "
                    + Setting.DATABASE_URL.variable();
        } else if (state.equals("28P01") || state.equals("28000")) {
            fix = "PostgreSQL at " + where + " refused the login: " + e.getMessage() + ". Fix the user or password in "
                    + Setting.DATABASE_URL.variable();
        } else {
            fix = "cannot reach PostgreSQL at " + where + " (" + cause(e, connectTimeout) + "). Check that the server runs "
                    + "and that " + Setting.DATABASE_URL.variable() + " names the right host and port";
        }
        return new JobStoreException("Job request store: " + fix + " [" + Setting.DATABASE_URL.variable() + "="
                + DatabaseUrl.redact(url.jdbcUrl()) + "]", e);
    }

    private static String cause(Throwable error, Duration connectTimeout) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return "no answer within " + connectTimeout.toMillis() + " ms; raise " + Setting.DB_CONNECT_TIMEOUT.variable() + " if the server is slow";
            }
        }
        return error.getMessage();
    }

    private static long seconds(Duration timeout) {
        return Math.max(1, (timeout.toMillis() + 999) / 1000);
    }
}
