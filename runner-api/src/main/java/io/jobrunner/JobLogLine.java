package io.jobrunner;

import java.time.Instant;
import java.util.Locale;

/**
 * One line a handler wrote with {@link JobContext#log}, kept with its request. Immutable.
 *
 * @param at      when it was written (to the millisecond)
 * @param attempt the attempt that wrote it
 * @param level   how much it matters
 * @param message the text, at most {@value #MAX_LENGTH} characters
 */
public record JobLogLine(Instant at, int attempt, Level level, String message) {

    /** Longest message kept; longer ones are cut there and end with "…". */
    public static final int MAX_LENGTH = 2_000;

    /** How much a line matters. */
    public enum Level {
        DEBUG, INFO, WARN, ERROR;

        public String dbValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Level fromDbValue(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    public JobLogLine {
        if (level == null) {
            throw new IllegalArgumentException("A job log line needs a level: DEBUG, INFO, WARN or ERROR");
        }
        message = message == null ? "" : message.length() > MAX_LENGTH ? message.substring(0, MAX_LENGTH - 1) + "…" : message;
    }
}
