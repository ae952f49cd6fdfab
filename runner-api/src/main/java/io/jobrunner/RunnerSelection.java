package io.jobrunner;

import io.jobrunner.spi.JobRunnerProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds the one provider that claims a runner name. Stateless. */
final class RunnerSelection {

    private RunnerSelection() {
    }

    static JobRunnerProvider select(String requested, ClassLoader loader) {
        List<JobRunnerProvider> providers = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        Iterator<JobRunnerProvider> iterator = ServiceLoader.load(JobRunnerProvider.class, loader).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                providers.add(iterator.next());
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage());
            }
        }
        List<JobRunnerProvider> matching = new ArrayList<>();
        TreeSet<String> available = new TreeSet<>();
        for (JobRunnerProvider provider : providers) {
            available.add(provider.name());
            available.addAll(provider.aliases());
            if (provider.name().equals(requested) || provider.aliases().contains(requested)) {
                matching.add(provider);
            }
        }
        if (matching.size() > 1) {
            throw new AmbiguousRunnerException(requested, matching.stream().map(p -> p.getClass().getName()).toList());
        }
        if (matching.isEmpty()) {
            UnknownRunnerException unknown = new UnknownRunnerException(requested, available);
            if (!broken.isEmpty()) {
                unknown.addSuppressed(new JobRunnerException("Providers that failed to load: " + String.join("; ", broken)));
            }
            throw unknown;
        }
        return matching.get(0);
    }
}
