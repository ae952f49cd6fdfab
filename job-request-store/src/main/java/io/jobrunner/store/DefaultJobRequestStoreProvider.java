package io.jobrunner.store;

import io.jobrunner.InvalidSettingException;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.JobRequestStoreProvider;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens PostgreSQL when {@code DATABASE_URL} is set, otherwise the embedded store under
 * {@code ./.jobrunner/}; {@code JOB_RUNNER_STORE} forces a choice. Stateless.
 */
public final class DefaultJobRequestStoreProvider implements JobRequestStoreProvider {

    public static final String STORE = "JOB_RUNNER_STORE";
    public static final String EMBEDDED_DIR = "JOB_RUNNER_EMBEDDED_DIR";
    public static final String POOL_SIZE = "JOB_RUNNER_DB_POOL_SIZE";
    public static final String SCHEMA = "JOB_RUNNER_DB_SCHEMA";
    public static final String CONNECT_TIMEOUT = PostgresConnections.CONNECT_TIMEOUT;
    public static final String DEFAULT_EMBEDDED_DIR = ".jobrunner";

    private static final Logger log = LoggerFactory.getLogger(DefaultJobRequestStoreProvider.class);

    @Override
    public JobRequestStore open(Settings settings) {
        String kind = settings.get(STORE).map(value -> value.toLowerCase(Locale.ROOT))
                .orElse(settings.isSet(DatabaseUrl.VARIABLE) ? "postgres" : "embedded");
        switch (kind) {
            case "postgres", "postgresql":
                String url = settings.get(DatabaseUrl.VARIABLE).orElseThrow(() -> new InvalidSettingException(STORE,
                        kind, "the postgres store needs DATABASE_URL; set it, or set " + STORE + "=embedded"));
                DatabaseUrl parsed = DatabaseUrl.parse(url);
                log.info("Job requests are stored in PostgreSQL at {}", DatabaseUrl.redact(parsed.jdbcUrl()));
                return JdbiJobRequestStore.open(parsed, settings.integer(POOL_SIZE, 10, 1),
                        settings.get(SCHEMA).orElse(null), settings.duration(CONNECT_TIMEOUT,
                                PostgresConnections.DEFAULT_CONNECT_TIMEOUT));
            case "embedded":
                Path directory = Path.of(settings.string(EMBEDDED_DIR, DEFAULT_EMBEDDED_DIR));
                log.info("Job requests are stored in the embedded store at {} (set DATABASE_URL for PostgreSQL)",
                        directory.toAbsolutePath().normalize());
                return EmbeddedJobRequestStore.openDirectory(directory);
            case "memory":
                return EmbeddedJobRequestStore.inMemory();
            default:
                throw new InvalidSettingException(STORE, kind, "expected postgres, embedded or memory");
        }
    }
}
