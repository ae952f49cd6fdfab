package io.jobrunner;

import java.time.Instant;

/**
 * A pause in force, as {@link JobRequests#paused()} lists it. Immutable.
 *
 * @param pause  what is paused
 * @param since  when it was paused
 * @param queued how many queued requests it holds back now
 */
public record PausedWork(Pause pause, Instant since, long queued) {
}
