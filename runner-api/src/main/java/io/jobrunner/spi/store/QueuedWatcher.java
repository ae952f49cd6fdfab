package io.jobrunner.spi.store;

import java.util.List;

/**
 * Told by a store ({@link JobRequestStore#watchQueued}) that requests of the {@code database} runner
 * became queued. Called on the store's listening thread; must return quickly.
 */
@FunctionalInterface
public interface QueuedWatcher {

    /**
     * @param ids the ids of requests that became queued, when the store knows them (a single
     *            dispatch); empty when it cannot tell which (a bulk dispatch, a retry, a reconnect),
     *            and the caller should look for any due request
     */
    void queued(List<Long> ids);
}
