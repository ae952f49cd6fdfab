package io.jobrunner.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobrunner.JobStoreException;
import io.jobrunner.Setting;
import io.jobrunner.spi.store.StoreScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: a SQLite database in {@code ./.jobrunner/job-requests.db}, with the same
 * statements as PostgreSQL ({@link JdbiJobRequestStore}). Needs nothing installed. Commits are
 * durable (WAL, synchronous {@code FULL}): a dispatch that returned survives {@code kill -9} and a
 * power cut. Several processes on one machine may open the same directory at once — the
 * application, a worker, an admin tool — and claims stay exclusive, because SQLite lets one writer
 * at a time change the file. A damaged file is refused at open, never opened with less than was
 * committed. Stateless; the stores it opens are thread-safe.
 */
public final class EmbeddedJobRequestStore {

    public static final String FILE_NAME = "job-requests.db";
    /** How long a statement waits for another process's write to finish before failing. */
    static final int BUSY_TIMEOUT_MS = 30_000;
    private static final int POOL_SIZE = 4;

    private EmbeddedJobRequestStore() {
    }

    /**
     * The store in {@code directory/job-requests.db}, created if absent. An earlier version's
     * {@code job-requests.jsonl} in the directory is imported once and kept, renamed.
     *
     * @throws JobStoreException when the file is damaged (naming it and the way out), or the directory cannot be written
     */
    public static JdbiJobRequestStore openDirectory(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JobStoreException("Cannot create the embedded job store directory " + dir + ": " + e
                    + ". Make it writable, or point " + Setting.EMBEDDED_DIR.variable() + " elsewhere", e);
        }
        Path file = dir.resolve(FILE_NAME);
        refuseIfDamaged(file, config());
        SQLiteConfig config = config();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file);
        HikariDataSource pool = pool(sqlite, POOL_SIZE, "jobrunner-embedded");
        return JdbiJobRequestStore.openOwned(pool, pool, SqlDialect.SQLITE, "the embedded store " + file,
                StoreScope.MACHINE, file);
    }

    /**
     * A store that lives only as long as the returned object, in memory: for tests. The same SQL as
     * the file store, on one connection at a time.
     */
    public static JdbiJobRequestStore inMemory() {
        SQLiteConfig config = config();
        String url = "jdbc:sqlite:file:jobrunner-" + UUID.randomUUID() + "?mode=memory&cache=shared";
        Connection keepAlive;
        try {
            keepAlive = config.createConnection(url);
        } catch (SQLException e) {
            throw new JobStoreException("Cannot create an in-memory job store: " + e.getMessage(), e);
        }
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl(url);
        HikariDataSource pool = pool(sqlite, 1, "jobrunner-memory");
        return JdbiJobRequestStore.openOwned(pool, () -> {
            pool.close();
            keepAlive.close();
        }, SqlDialect.SQLITE, "an in-memory store", StoreScope.PROCESS, null);
    }

    private static SQLiteConfig config() {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.enforceForeignKeys(true);  // a request's log lines go with it
        return config;
    }

    private static HikariDataSource pool(SQLiteDataSource sqlite, int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(sqlite);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName(name);
        config.setConnectionTimeout(BUSY_TIMEOUT_MS);
        return new HikariDataSource(config);
    }

    /** Checks the file's structure before anything else touches it; a damaged file is refused, untouched. */
    private static void refuseIfDamaged(Path file, SQLiteConfig config) {
        if (!Files.exists(file)) {
            return;
        }
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet check = statement.executeQuery("PRAGMA quick_check")) {
            List<String> problems = new ArrayList<>();
            while (check.next() && problems.size() < 3) {
                problems.add(check.getString(1));
            }
            if (!problems.equals(List.of("ok"))) {
                throw damaged(file, String.join("; ", problems), null);
            }
        } catch (SQLException e) {
            if (StoreAccess.isDamage(e)) {
                throw damaged(file, e.getMessage(), e);
            }
            throw new JobStoreException("Cannot open the embedded job store " + file + ": " + e.getMessage()
                    + ". Check the file's permissions, or point " + Setting.EMBEDDED_DIR.variable()
                    + " elsewhere", e);
        }
    }

    private static JobStoreException damaged(Path file, String detail, Throwable cause) {
        return new JobStoreException("The embedded job store " + file + " is damaged (" + detail + "). It was not "
                + "opened and nothing in it was changed. " + StoreAccess.wayOut(file), cause);
    }
}
