package io.jobrunner;

import java.time.Instant;
import java.time.ZoneId;

/**
 * When a recurring job fires: a cron expression with a seconds field ({@code "0 1/5 * * * *"})
 * or an interval ({@code "every 5 minutes"}). Immutable and thread-safe.
 */
public interface Schedule {

    /** Most occurrences walked through when computing a missed run, before giving up on precision. */
    int MAX_STEPS = 1_000_000;

    /**
     * Reads a schedule: {@code "every N seconds|minutes|hours|days"} (also {@code "every minute"}), or
     * a cron expression of six fields, {@code second minute hour day-of-month month day-of-week}
     * (five fields mean second 0). Cron fields take {@code *}, {@code ?}, numbers, names
     * ({@code JAN}, {@code MON}), ranges {@code a-b}, steps {@code a/n} {@code *}{@code /n}
     * {@code a-b/n}, and lists {@code a,b}.
     *
     * @throws IllegalArgumentException naming the part that is wrong and the expected form
     */
    static Schedule parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("A schedule must not be blank: give a cron expression such as "
                    + "'0 1/5 * * * *' or an interval such as 'every 5 minutes'");
        }
        String trimmed = spec.trim();
        return trimmed.regionMatches(true, 0, "every", 0, 5) ? IntervalSchedule.parse(trimmed) : CronSchedule.parse(trimmed);
    }

    /** The text this schedule was read from. */
    String spec();

    /** The first occurrence strictly after {@code after}, with cron fields read in {@code zone}. */
    Instant nextAfter(Instant after, ZoneId zone);

    /** The last occurrence at or before {@code now}, starting from the occurrence {@code from} (at or before now). */
    default Instant latestUpTo(Instant from, Instant now, ZoneId zone) {
        Instant latest = from;
        for (int step = 0; step < MAX_STEPS; step++) {
            Instant next = nextAfter(latest, zone);
            if (next.isAfter(now)) {
                return latest;
            }
            latest = next;
        }
        return latest;
    }
}
