package io.jobrunner.store;

import io.jobrunner.spi.store.QueuedWatcher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL for the notification sent when a {@code database}-runner request becomes
 * queued — by its insert, whose payload is the new id, or by the update trigger of migration V1 or a
 * bulk insert, whose payload is empty — on one connection of its own, and tells the watcher of each
 * batch of notifications, at most once per {@value #COALESCE_MILLIS} ms: the ids, or none when any
 * notification of the batch named none. A broken connection is replaced after a second, with a
 * wake-up that names no id, since notifications sent meanwhile are lost. Thread-safe.
 */
final class QueuedListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueuedListener.class);
    private static final int WAIT_MILLIS = 500;
    /** Least time between two wake-ups: the database worker's gap between claims while there is no backlog. */
    private static final int COALESCE_MILLIS = 2;

    private final DataSource dataSource;
    /** More ids than this in one batch are not worth a claim by id: the watcher is told to look for any. */
    private static final int MOST_IDS = 64;

    private final QueuedWatcher watcher;
    private final Thread thread;
    private volatile boolean closed;

    private QueuedListener(DataSource dataSource, QueuedWatcher watcher) {
        this.dataSource = dataSource;
        this.watcher = watcher;
        this.thread = new Thread(this::listen, "jobrunner-listen");
        this.thread.setDaemon(true);
    }

    /** Starts listening; returns once LISTEN is in place, so nothing queued after this is missed. */
    static QueuedListener start(DataSource dataSource, QueuedWatcher watcher) {
        QueuedListener listener = new QueuedListener(dataSource, watcher);
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
                    watcher.queued(ids(notifications));
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
                watcher.queued(List.of());
            }
        }
        giveBack(connection);
    }

    /** The ids the notifications name; none when one of them names none, or when there are too many to claim by id. */
    static List<Long> ids(PGNotification[] notifications) {
        if (notifications.length > MOST_IDS) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>(notifications.length);
        for (PGNotification notification : notifications) {
            String payload = notification.getParameter();
            if (payload == null || payload.isEmpty() || !payload.chars().allMatch(Character::isDigit) || payload.length() > 18) {
                return List.of();
            }
            ids.add(Long.parseLong(payload));
        }
        return ids;
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
