package io.jobrunner.spi.store;

import io.jobrunner.JobStoreException;
import io.jobrunner.spi.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Opens the store of the one {@link JobRequestStoreProvider} on the class path, if there is one: how
 * runners, workers and tools (the {@code jobrunner} command) open the store their settings name.
 * Stateless and thread-safe.
 */
public final class StoreDiscovery {

    private StoreDiscovery() {
    }

    /**
     * @return the opened store (the caller closes it), or empty when no provider is on the class path
     * @throws JobStoreException when several providers are, or one cannot be loaded
     */
    public static Optional<JobRequestStore> open(Settings settings, ClassLoader loader) {
        List<JobRequestStoreProvider> found = new ArrayList<>();
        try {
            ServiceLoader.load(JobRequestStoreProvider.class, loader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new JobStoreException("Could not load a JobRequestStoreProvider: " + e.getMessage(), e);
        }
        if (found.size() > 1) {
            List<String> names = found.stream().map(p -> p.getClass().getName()).toList();
            throw new JobStoreException("Several JobRequestStoreProviders are on the class path: "
                    + String.join(", ", names) + ". Keep one, or pass a store explicitly");
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).open(settings));
    }
}
