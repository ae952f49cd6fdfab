package io.jobrunner.store;

import io.jobrunner.InvalidSettingException;
import io.jobrunner.Setting;
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

    private static final Logger log = LoggerFactory.getLogger(DefaultJobRequestStoreProvider.class);

    @Override
    public JobRequestStore open(Settings settings) {
        String store = Setting.STORE.variable();
        String kind = settings.get(Setting.STORE).map(value -> value.toLowerCase(Locale.ROOT))
                .orElse(settings.isSet(Setting.DATABASE_URL) ? "postgres" : "embedded");
        switch (kind) {
            case "postgres", "postgresql":
                String url = settings.get(Setting.DATABASE_URL).orElseThrow(() -> new InvalidSettingException(store,
                        kind, "the postgres store needs DATABASE_URL; set it, or set " + store + "=embedded"));
                DatabaseUrl parsed = DatabaseUrl.parse(url);
                log.info("Job requests are stored in PostgreSQL at {}", DatabaseUrl.redact(parsed.jdbcUrl()));
                return JdbiJobRequestStore.open(parsed, settings.integer(Setting.DB_POOL_SIZE),
                        settings.get(Setting.DB_SCHEMA).orElse(null), settings.duration(Setting.DB_CONNECT_TIMEOUT));
            case "embedded":
                Path directory = Path.of(settings.string(Setting.EMBEDDED_DIR));
                log.info("Job requests are stored in the embedded store at {} (set DATABASE_URL for PostgreSQL)",
                        directory.toAbsolutePath().normalize());
                return EmbeddedJobRequestStore.openDirectory(directory);
            case "memory":
                return EmbeddedJobRequestStore.inMemory();
            default:
                throw new InvalidSettingException(store, kind, "expected postgres, embedded or memory");
        }
    }
}
