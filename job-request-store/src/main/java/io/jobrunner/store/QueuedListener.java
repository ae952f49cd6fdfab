package io.jobrunner.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL for the notification sent when a {@code database}-runner request becomes
 * queued — by its insert, or by the update trigger of migration V1 — on one connection of its own, and
 * calls the wake-up for each batch of notifications, at most once per {@value #COALESCE_MILLIS} ms. A broken connection is replaced after a
 * second, with a wake-up, since notifications sent meanwhile are lost. Thread-safe.
 */
final class QueuedListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueuedListener.class);
    private static final int WAIT_MILLIS = 500;
    /** Least time between two wake-ups: the database worker's gap between claims while there is no backlog. */
    private static final int COALESCE_MILLIS = 2;

    private final DataSource dataSource;
    private final Runnable wakeUp;
    private final Thread thread;
    private volatile boolean closed;

    private QueuedListener(DataSource dataSource, Runnable wakeUp) {
        this.dataSource = dataSource;
        this.wakeUp = wakeUp;
        this.thread = new Thread(this::listen, "jobrunner-listen");
        this.thread.setDaemon(true);
    }

    /** Starts listening; returns once LISTEN is in place, so nothing queued after this is missed. */
    static QueuedListener start(DataSource dataSource, Runnable wakeUp) {
        QueuedListener listener = new QueuedListener(dataSource, wakeUp);
        listener.connection = listener.connect();
        listener.thread.start();
        return listener;
    }

    /** Only the listening thread touches it once started. */
    private Connection connection;

    /** A connection listening on this schema's channel. */
    private Connection connect() {
        try {
            Connection connection = dataSource.getConnection();
            try (Statement statement = connection.createStatement()) {
                connection.setAutoCommit(true);
                String schema;
                try (ResultSet rs = statement.executeQuery("SELECT current_schema()")) {
                    rs.next();
                    schema = rs.getString(1);
                }
                statement.execute("LISTEN \"" + ("jobrunner_" + schema).replace("\"", "\"\"") + "\"");
                return connection;
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not listen for queued jobs: " + e.getMessage(), e);
        }
    }

    private void listen() {
        while (!closed) {
            try {
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
                if (notifications != null && notifications.length > 0) {
                    wakeUp.run();
                    // Under a stream of single-row dispatches, read what arrives meanwhile in one go: a worker
                    // claims at most once per this gap anyway, and each read woke this thread for one row.
                    Thread.sleep(COALESCE_MILLIS);
                }
            } catch (InterruptedException e) {
                break;
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                log.warn("Listening for queued jobs failed; listening again in 1 s (the fallback poll covers the gap): {}",
                        e.toString());
                giveBack(connection);
                connection = reconnect();
                if (connection == null) {
                    return;
                }
                wakeUp.run();
            }
        }
        giveBack(connection);
    }

    private Connection reconnect() {
        while (!closed) {
            try {
                Thread.sleep(1_000);
                return connect();
            } catch (InterruptedException e) {
                return null;
            } catch (RuntimeException e) {
                log.warn("Still cannot listen for queued jobs: {}", e.getMessage());
            }
        }
        return null;
    }

    /**
     * Returns the connection to the pool no longer listening, so the next borrower does not collect
     * this channel's notifications; one that cannot stop listening (it is broken) is aborted, and the
     * pool replaces it.
     */
    private static void giveBack(Connection connection) {
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                connection.abort(Runnable::run);
            }
            connection.close();
        } catch (SQLException e) {
            log.debug("Closing the listening connection failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(WAIT_MILLIS * 4L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
