package io.jobrunner.cli;

import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Times as a terminal shows them ("3m ago", "in 20s") and as options take them ("1h", "2026-11-24T10:00:00Z"). */
final class Times {

    private Times() {
    }

    /** "12s ago", "5m ago", "in 3h", or "-" for none; relative to {@code now}. */
    static String relative(Instant time, Instant now) {
        if (time == null) {
            return "-";
        }
        Duration between = Duration.between(time, now);
        boolean past = !between.isNegative();
        String amount = amount(between.abs());
        return past ? amount + " ago" : "in " + amount;
    }

    /** The largest whole unit: "850ms", "42s", "7m", "3h", "12d". */
    static String amount(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return millis / 1_000 + "s";
        }
        if (millis < 3_600_000) {
            return millis / 60_000 + "m";
        }
        if (millis < 86_400_000) {
            return millis / 3_600_000 + "h";
        }
        return millis / 86_400_000 + "d";
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
        if (text.endsWith("d") && text.length() > 1 && text.substring(0, text.length() - 1).chars().allMatch(Character::isDigit)) {
            return Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        try {
            return Settings.of(Map.of(option, text)).duration(option, Duration.ZERO);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + option + ": expected a duration such"
                    + " as 90s, 15m, 2h or 14d" + (option.contains("since") ? ", or an instant such as 2026-11-24T10:00:00Z" : ""));
        }
    }
}
