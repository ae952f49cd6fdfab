package io.jobrunner.spring.boot;

import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.StoreDiscovery;
import io.jobrunner.store.JdbiJobRequestStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The store the runner and this application's workers share, and the settings it was chosen by:
 * over the application's PostgreSQL {@link DataSource} (its pool, its transactions; the application
 * keeps and closes the data source), or the one the settings name ({@code jobrunner.database-url},
 * {@code jobrunner.store}, else the embedded default), which this bean opens and closes. Opened on
 * first use — the runner's build — not when the bean is made, so making it costs the context nothing.
 */
public final class JobRunnerStore implements AutoCloseable {

    /** What was opened: the store (or none, without a store module), and the application's data source it writes to. */
    private record Opened(JobRequestStore store, DataSource applicationDataSource) {
    }

    private final Map<String, String> settings;
    private final Supplier<DataSource> candidate;
    private Opened opened;
    private boolean closed;

    private JobRunnerStore(Map<String, String> settings, Supplier<DataSource> candidate) {
        this.settings = Map.copyOf(settings);
        this.candidate = candidate;
    }

    /**
     * @param candidate the application's data source, or {@code null}: asked for on first use, and used when
     *                  it is PostgreSQL
     */
    static JobRunnerStore of(Map<String, String> settings, Supplier<DataSource> candidate) {
        return new JobRunnerStore(settings, candidate);
    }

    private synchronized Opened opened() {
        if (opened == null) {
            if (closed) {
                throw new IllegalStateException("The job store was closed with the application context");
            }
            DataSource application = candidate.get();
            if (application != null && isPostgres(application)) {
                opened = new Opened(JdbiJobRequestStore.create(application), application);
            } else {
                // none, or an embedded or other database: the settings choose the store, as without Spring
                opened = new Opened(StoreDiscovery.open(Settings.of(settings), JobRunnerStore.class.getClassLoader())
                        .orElse(null), null);
            }
        }
        return opened;
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        } catch (SQLException e) {
            throw new IllegalStateException("The application's DataSource cannot be reached to keep job requests in it ("
                    + e.getMessage() + "): fix spring.datasource.*, set jobrunner.database-url to keep them elsewhere, or set "
                    + "jobrunner.db.application-data-source=false", e);
        }
    }

    /** The settings by variable name: the {@code jobrunner.*} properties over the process environment. */
    public Map<String, String> settings() {
        return settings;
    }

    /** The store, opened now if it was not; empty when no store module is on the class path. */
    public Optional<JobRequestStore> store() {
        return Optional.ofNullable(opened().store());
    }

    /** The application's data source the store writes to, or {@code null} when the store has its own. */
    public DataSource applicationDataSource() {
        return opened().applicationDataSource();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (opened != null && opened.store() != null) {
            opened.store().close();  // over the application's data source, this leaves the data source open
        }
    }

    @Override
    public synchronized String toString() {
        return opened == null ? "not opened yet" : opened.store() == null ? "no store" : opened.store().description();
    }
}
