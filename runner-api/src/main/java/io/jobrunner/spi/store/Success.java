package io.jobrunner.spi.store;

/**
 * One attempt that succeeded, to record with others in {@link JobRequestStore#succeedAll}. Immutable.
 *
 * @param lease      the attempt's lease; the outcome is recorded only while it is held
 * @param resultJson the handler's result as JSON, or {@code null}
 * @param message    the last progress message, or {@code null} to keep the stored one
 */
public record Success(Lease lease, String resultJson, String message) {
}
