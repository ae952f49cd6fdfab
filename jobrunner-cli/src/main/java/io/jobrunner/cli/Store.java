package io.jobrunner.cli;

import io.jobrunner.JobRequests;
import io.jobrunner.JobStoreException;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.StoreDiscovery;
import io.jobrunner.spi.store.StoredJobRequests;
import java.util.function.UnaryOperator;

/**
 * The store the environment names, opened for one command and closed after it. Requests a command
 * queues again (retry) are picked up by whoever runs their runner: database workers at once (the
 * store notifies them), other processes at their next poll or hand-off sweep.
 */
final class Store implements AutoCloseable {

    private final JobRequestStore store;
    private final JobRequests jobs;

    private Store(JobRequestStore store) {
        this.store = store;
        this.jobs = new StoredJobRequests(() -> store, UnaryOperator.identity());
    }

    static Store open() {
        return open(Settings.fromEnvironment());
    }

    static Store open(Settings settings) {
        JobRequestStore store = StoreDiscovery.open(settings, Store.class.getClassLoader()).orElseThrow(() ->
                new JobStoreException("No job request store is on the class path; run the jobrunner jar, which has one"));
        return new Store(store);
    }

    JobRequests jobs() {
        return jobs;
    }

    /** The store's whole interface, for what applications have no call for (schedules). */
    JobRequestStore spi() {
        return store;
    }

    String description() {
        return store.description();
    }

    @Override
    public void close() {
        store.close();
    }
}
