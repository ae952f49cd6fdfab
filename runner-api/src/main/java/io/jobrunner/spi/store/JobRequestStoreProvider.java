package io.jobrunner.spi.store;

import io.jobrunner.spi.Settings;

/**
 * Opens the {@link JobRequestStore} a runner uses when the application passes none. Listed in
 * {@code META-INF/services/io.jobrunner.spi.store.JobRequestStoreProvider}; exactly one may be on the
 * class path. Public no-arg constructor, stateless, thread-safe.
 */
public interface JobRequestStoreProvider {

    /** Opens the store the settings describe (e.g. {@code DATABASE_URL}); the caller closes it. */
    JobRequestStore open(Settings settings);
}
