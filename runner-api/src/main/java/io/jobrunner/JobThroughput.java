package io.jobrunner;

import java.time.Instant;

/**
 * How many requests finished in one minute, by how they ended. Immutable.
 *
 * @param minute    the minute's start (UTC, whole minute)
 * @param succeeded requests that succeeded in it
 * @param failed    requests that failed for good in it
 * @param cancelled requests cancelled in it
 */
public record JobThroughput(Instant minute, long succeeded, long failed, long cancelled) {

    public long total() {
        return succeeded + failed + cancelled;
    }
}
