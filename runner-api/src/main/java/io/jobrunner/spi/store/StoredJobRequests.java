package io.jobrunner.spi.store;

import io.jobrunner.JobCounts;
import io.jobrunner.JobLimit;
import io.jobrunner.JobLog;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link JobRequests} over a store, for runners and for tools that read the store without a runner
 * (the {@code jobrunner} command, with {@code UnaryOperator.identity()}: a retried request waits for
 * its runner's workers or sweep). Over a runner's store: reads and simple transitions go to the store; a retried
 * request is handed off by its runner like a new dispatch. Thread-safe.
 */
public final class StoredJobRequests implements JobRequests {

    private final Supplier<JobRequestStore> store;
    private final UnaryOperator<JobRequest> handOff;
    private final Runnable resumed;

    /**
     * @param store   the store, asked on each call (it throws a clear error when the runner has none)
     * @param handOff hands off a request that {@link #retry(long)} queued again, returning it as it stands after
     */
    public StoredJobRequests(Supplier<JobRequestStore> store, UnaryOperator<JobRequest> handOff) {
        this(store, handOff, () -> { });
    }

    /** @param resumed wakes the runner's own workers after a {@link #resume(Pause)} */
    public StoredJobRequests(Supplier<JobRequestStore> store, UnaryOperator<JobRequest> handOff, Runnable resumed) {
        this.store = store;
        this.handOff = handOff;
        this.resumed = resumed;
    }

    @Override
    public boolean pause(Pause pause) {
        return store.get().pause(pause);
    }

    @Override
    public boolean resume(Pause pause) {
        boolean ended = store.get().resume(pause);
        if (ended) {
            resumed.run();
        }
        return ended;
    }

    @Override
    public List<PausedWork> paused() {
        return store.get().paused();
    }

    @Override
    public List<JobLimit> limits() {
        return store.get().limits();
    }

    @Override
    public Optional<JobRequest> find(long id) {
        return store.get().find(id);
    }

    @Override
    public Optional<JobRequest> findByDedupKey(String dedupKey) {
        return store.get().findByDedupKey(dedupKey);
    }

    @Override
    public List<JobRequest> list(JobQuery query) {
        return store.get().list(query);
    }

    @Override
    public JobLog log(long id) {
        return store.get().log(id);
    }

    @Override
    public long count(JobQuery query) {
        return store.get().count(query);
    }

    @Override
    public JobCounts counts() {
        return store.get().counts();
    }

    @Override
    public List<JobThroughput> finishedPerMinute(Instant since) {
        return store.get().finishedPerMinute(since);
    }

    @Override
    public Optional<JobRequest> cancel(long id) {
        return store.get().cancel(id);
    }

    @Override
    public Optional<JobRequest> retry(long id) {
        return store.get().retry(id).map(handOff);
    }

    @Override
    public int purgeFinished(Duration olderThan) {
        if (olderThan == null || olderThan.isNegative()) {
            throw new IllegalArgumentException("purgeFinished needs a retention of zero or more, got " + olderThan
                    + "; pass e.g. Duration.ofDays(14) to delete what finished more than 14 days ago");
        }
        return store.get().purgeFinished(olderThan);
    }

    @Override
    public String description() {
        return store.get().description();
    }

    @Override
    public List<Long> dependencies(long id) {
        return store.get().dependencies(id);
    }

    @Override
    public Optional<io.jobrunner.BatchProgress> batch(long id) {
        return store.get().batch(id);
    }

    @Override
    public List<JobWorker> workers() {
        return store.get().workers();
    }
}
