package io.jobrunner.cli;

import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Times as options take them ("1h", "2026-11-24T10:00:00Z"); they are shown with {@link io.jobrunner.dashboard.TimeText}. */
final class Times {

    private Times() {
    }

    /**
     * A point in time an option names: an ISO-8601 instant, or a duration back from now such as
     * {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}.
     */
    static Instant since(String option, String value, Instant now) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notAnInstant) {
            return now.minus(duration(option, value));
        }
    }

    /** A duration an option names: {@code 90s}, {@code 15m}, {@code 2h}, {@code 14d}, {@code PT1H}. */
    static Duration duration(String option, String value) {
        String text = value.trim();
        try {
            return Settings.of(Map.of(option, text)).duration(option, Duration.ZERO);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + option + ": expected a duration such"
                    + " as 90s, 15m, 2h or 14d" + (option.contains("since") ? ", or an instant such as 2026-11-24T10:00:00Z" : ""));
        }
    }
}
