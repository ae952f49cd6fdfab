package io.jobrunner;

import java.util.Locale;

/**
 * When a job with dependencies ({@link JobData.Builder#after}) runs, once every job it depends on has
 * finished. Until then it is {@link JobStatus#WAITING}; when its condition cannot hold any more it is
 * cancelled, and the jobs that depend on it see a failed dependency in turn.
 */
public enum RunWhen {
    /**
     * Every dependency succeeded (the default): a chain or a workflow step. Cancelled as soon as one
     * dependency fails for good or is cancelled, without waiting for the others.
     */
    ALL_SUCCEEDED,
    /** Every dependency finished, whatever its outcome: a batch's on-complete callback, a clean-up step. */
    ALL_FINISHED,
    /**
     * Every dependency finished and at least one failed or was cancelled: a failure path (compensation,
     * an alert, a batch's on-failure callback). Cancelled when all of them succeeded.
     */
    ANY_FAILED;

    /** The lower-case name stored in the database, e.g. {@code "all_succeeded"}. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a stored value such as {@code "all_finished"}. */
    public static RunWhen fromDbValue(String value) {
        for (RunWhen when : values()) {
            if (when.dbValue().equals(value)) {
                return when;
            }
        }
        throw new IllegalArgumentException("Unknown run-when '" + value + "'; expected all_succeeded, all_finished or any_failed");
    }
}
