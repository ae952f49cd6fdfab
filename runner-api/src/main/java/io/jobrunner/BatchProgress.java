package io.jobrunner;

import java.util.List;

/**
 * How far a {@link JobBatch} got: its members by status, and its callbacks. A snapshot. Immutable.
 *
 * @param id          the batch's id
 * @param total       its members
 * @param succeeded   members that succeeded
 * @param failed      members that failed for good
 * @param cancelled   members that were cancelled
 * @param running     members running now
 * @param callbackIds the ids of its callback jobs, in the order given
 */
public record BatchProgress(long id, long total, long succeeded, long failed, long cancelled, long running,
                            List<Long> callbackIds) {

    public BatchProgress {
        callbackIds = List.copyOf(callbackIds);
    }

    /** Members that finished, whatever their outcome. */
    public long done() {
        return succeeded + failed + cancelled;
    }

    /** Members not finished yet (queued, waiting or running). */
    public long pending() {
        return total - done();
    }

    /** True once every member finished. */
    public boolean finished() {
        return done() >= total;
    }

    @Override
    public String toString() {
        return "Batch " + id + ": " + done() + " of " + total + " done (" + succeeded + " succeeded, " + failed
                + " failed, " + cancelled + " cancelled), " + running + " running";
    }
}
