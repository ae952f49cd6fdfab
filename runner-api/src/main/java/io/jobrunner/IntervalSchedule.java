package io.jobrunner;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code every N units}: occurrences at whole multiples of the interval since the epoch (UTC), so
 * every process computes the same instants: {@code every 5 minutes} fires at :00, :05, :10.
 */
final class IntervalSchedule implements Schedule {

    private static final Pattern FORM = Pattern.compile("every\\s+(?:(\\d{1,9})\\s+)?(second|minute|hour|day)s?",
            Pattern.CASE_INSENSITIVE);

    private final String spec;
    private final long millis;

    private IntervalSchedule(String spec, long millis) {
        this.spec = spec;
        this.millis = millis;
    }

    static IntervalSchedule parse(String spec) {
        Matcher matcher = FORM.matcher(spec);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Cannot read the schedule '" + spec + "': write 'every N seconds', "
                    + "'every N minutes', 'every N hours' or 'every N days' (e.g. 'every 5 minutes')");
        }
        long count = matcher.group(1) == null ? 1 : Long.parseLong(matcher.group(1));
        if (count < 1) {
            throw new IllegalArgumentException("The interval of schedule '" + spec + "' must be at least 1");
        }
        Duration unit = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "second" -> Duration.ofSeconds(1);
            case "minute" -> Duration.ofMinutes(1);
            case "hour" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        return new IntervalSchedule(spec, unit.multipliedBy(count).toMillis());
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public Instant nextAfter(Instant after, ZoneId zone) {
        return Instant.ofEpochMilli(Math.floorDiv(after.toEpochMilli(), millis) * millis + millis);
    }

    @Override
    public Instant latestUpTo(Instant from, Instant now, ZoneId zone) {
        Instant latest = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), millis) * millis);
        return latest.isBefore(from) ? from : latest;
    }

    @Override
    public String toString() {
        return spec;
    }
}
