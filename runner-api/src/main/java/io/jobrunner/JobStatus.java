package io.jobrunner;

import java.util.Locale;

/**
 * Where a {@link JobRequest} is in its lifecycle.
 *
 * <pre>
 * waiting ──its dependencies finished──▶ queued   (or cancelled: see {@link RunWhen})
 * queued ──claim──▶ running ──▶ succeeded
 *   ▲                 │  ├────▶ failed     (attempts spent, or not retryable)
 *   └───retry─────────┘  └────▶ cancelled  (handler saw isCancelled())
 * queued, waiting ──cancel──▶ cancelled
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public enum JobStatus {
    /** Stored with dependencies ({@link JobData#after()}) that have not all finished: not claimed by anyone yet. */
    WAITING,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** The lower-case name stored in the database, e.g. {@code "queued"}. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the states a request never leaves on its own: succeeded, failed, cancelled. */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Parses a stored value such as {@code "running"}. */
    public static JobStatus fromDbValue(String value) {
        return switch (value == null ? "" : value) {  // read for every stored row: no search, no allocation
            case "waiting" -> WAITING;
            case "queued" -> QUEUED;
            case "running" -> RUNNING;
            case "succeeded" -> SUCCEEDED;
            case "failed" -> FAILED;
            case "cancelled" -> CANCELLED;
            default -> throw new IllegalArgumentException("Unknown job status '" + value
                    + "'; expected one of waiting, queued, running, succeeded, failed, cancelled");
        };
    }
}
