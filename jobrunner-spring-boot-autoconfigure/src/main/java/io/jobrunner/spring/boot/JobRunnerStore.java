package io.jobrunner.spring.boot;

import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.StoreDiscovery;
import io.jobrunner.store.JdbiJobRequestStore;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The store the runner and this application's workers share, and the settings it was chosen by:
 * over the application's PostgreSQL {@link DataSource} (its pool, its transactions; the application
 * keeps and closes the data source), or the one the settings name ({@code jobrunner.database-url},
 * {@code jobrunner.store}, else the embedded default), which this bean opens and closes.
 */
public final class JobRunnerStore implements AutoCloseable {

    private final Map<String, String> settings;
    private final JobRequestStore store;
    private final DataSource applicationDataSource;

    private JobRunnerStore(Map<String, String> settings, JobRequestStore store, DataSource applicationDataSource) {
        this.settings = Map.copyOf(settings);
        this.store = store;
        this.applicationDataSource = applicationDataSource;
    }

    static JobRunnerStore open(Map<String, String> settings, DataSource applicationDataSource) {
        if (applicationDataSource != null) {
            return new JobRunnerStore(settings, JdbiJobRequestStore.create(applicationDataSource), applicationDataSource);
        }
        Optional<JobRequestStore> opened = StoreDiscovery.open(Settings.of(settings), JobRunnerStore.class.getClassLoader());
        return new JobRunnerStore(settings, opened.orElse(null), null);
    }

    /** The settings by variable name: the {@code jobrunner.*} properties over the process environment. */
    public Map<String, String> settings() {
        return settings;
    }

    /** The store, empty when no store module is on the class path. */
    public Optional<JobRequestStore> store() {
        return Optional.ofNullable(store);
    }

    /** The application's data source the store writes to, or {@code null} when the store has its own. */
    public DataSource applicationDataSource() {
        return applicationDataSource;
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();  // over the application's data source, this leaves the data source open
        }
    }

    @Override
    public String toString() {
        return store == null ? "no store" : store.description();
    }
}
