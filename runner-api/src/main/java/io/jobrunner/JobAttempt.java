package io.jobrunner;

import java.time.Instant;

/**
 * One finished attempt of a job, as recorded in {@link JobRequest#history()}. Immutable.
 *
 * @param attempt    the attempt number, 1 for the first
 * @param worker     the lease owner that ran it
 * @param startedAt  when it was claimed (to the millisecond)
 * @param finishedAt when its outcome was recorded (to the millisecond)
 * @param outcome    how it ended
 * @param error      the error's first lines for a failed, timed-out or abandoned attempt, else {@code null}
 */
public record JobAttempt(int attempt, String worker, Instant startedAt, Instant finishedAt, Outcome outcome,
                         String error) {

    /** Longest error text kept per attempt; the full error of the last one is in {@link JobRequest#lastError()}. */
    public static final int MAX_ERROR_LENGTH = 1000;

    /** How an attempt ended. */
    public enum Outcome {
        SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, ABANDONED;

        public String dbValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Outcome fromDbValue(String value) {
            for (Outcome outcome : values()) {
                if (outcome.dbValue().equalsIgnoreCase(value)) {
                    return outcome;
                }
            }
            throw new IllegalArgumentException("Unknown attempt outcome '" + value + "'");
        }
    }

    /** The error text to keep in an attempt record: at most {@link #MAX_ERROR_LENGTH} characters. */
    public static String shortError(String error) {
        if (error == null || error.length() <= MAX_ERROR_LENGTH) {
            return error;
        }
        return error.substring(0, MAX_ERROR_LENGTH) + "…";
    }
}
