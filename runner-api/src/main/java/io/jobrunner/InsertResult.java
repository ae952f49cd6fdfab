package io.jobrunner;

/**
 * The outcome of {@link JobRequestStore#insert}: the stored request, and whether this call created
 * it ({@code false} when a request with the same dedup key was already stored). Immutable.
 */
public record InsertResult(JobRequest request, boolean created) {
}
