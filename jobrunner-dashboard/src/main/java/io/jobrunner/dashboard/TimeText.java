package io.jobrunner.dashboard;

import java.time.Duration;
import java.time.Instant;

/** Times as people read them at a glance ("3m ago", "in 20s"): one wording for the dashboard and the command. */
public final class TimeText {

    private TimeText() {
    }

    /** "12s ago", "5m ago", "in 3h", or "-" for none; relative to {@code now}. */
    public static String relative(Instant time, Instant now) {
        if (time == null) {
            return "-";
        }
        Duration between = Duration.between(time, now);
        String amount = amount(between.abs());
        return between.isNegative() ? "in " + amount : amount + " ago";
    }

    /** The largest whole unit: "850ms", "42s", "7m", "3h", "12d". */
    public static String amount(Duration duration) {
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
}
