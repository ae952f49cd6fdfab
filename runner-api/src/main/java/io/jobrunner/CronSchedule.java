package io.jobrunner;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A cron expression with a seconds field: {@code second minute hour day-of-month month day-of-week}.
 * When both day fields are restricted, a day matching either fires (classic cron).
 */
final class CronSchedule implements Schedule {

    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
            "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final String FORM = "six fields 'second minute hour day-of-month month day-of-week', "
            + "e.g. '0 1/5 * * * *' (second 0 of minutes 1, 6, 11, …) or '0 0 2 * * MON-FRI'";

    private final String spec;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private CronSchedule(String spec, String[] fields) {
        this.spec = spec;
        this.seconds = field(spec, fields[0], "second", 0, 59, null, 0);
        this.minutes = field(spec, fields[1], "minute", 0, 59, null, 0);
        this.hours = field(spec, fields[2], "hour", 0, 23, null, 0);
        this.daysOfMonth = field(spec, fields[3], "day-of-month", 1, 31, null, 0);
        this.months = field(spec, fields[4], "month", 1, 12, MONTHS, 1);
        this.daysOfWeek = field(spec, fields[5], "day-of-week", 0, 7, DAYS, 0);
        if (daysOfWeek.get(7)) {
            daysOfWeek.set(0);
        }
        this.anyDayOfMonth = isAny(fields[3]);
        this.anyDayOfWeek = isAny(fields[5]);
    }

    static CronSchedule parse(String spec) {
        String[] fields = spec.split("\\s+");
        if (fields.length == 5) {
            fields = ("0 " + spec).split("\\s+");
        }
        if (fields.length != 6) {
            throw new IllegalArgumentException("Cannot read the cron expression '" + spec + "': it has "
                    + fields.length + " fields; write " + FORM + ", or an interval such as 'every 5 minutes'");
        }
        CronSchedule schedule = new CronSchedule(spec, fields);
        schedule.nextAfter(Instant.parse("2000-01-01T00:00:00Z"), ZoneId.of("UTC"));
        return schedule;
    }

    private static boolean isAny(String field) {
        return field.equals("*") || field.equals("?");
    }

    private static BitSet field(String spec, String text, String name, int min, int max, List<String> names, int nameBase) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(spec, part.substring(slash + 1), name, 1, max + 1, null, 0);
            }
            int from;
            int to;
            if (isAny(range)) {
                from = min;
                to = max;
            } else if (range.indexOf('-') > 0) {
                from = number(spec, range.substring(0, range.indexOf('-')), name, min, max, names, nameBase);
                to = number(spec, range.substring(range.indexOf('-') + 1), name, min, max, names, nameBase);
                if (from > to) {
                    throw new IllegalArgumentException("The " + name + " range '" + range + "' in '" + spec
                            + "' runs backwards; write the lower bound first");
                }
            } else {
                from = number(spec, range, name, min, max, names, nameBase);
                to = slash >= 0 ? max : from;
            }
            for (int value = from; value <= to; value += step) {
                bits.set(value);
            }
        }
        return bits;
    }

    private static int number(String spec, String text, String name, int min, int max, List<String> names, int nameBase) {
        if (names != null) {
            int index = names.indexOf(text.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return index + nameBase;
            }
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The " + name + " field of '" + spec + "' has '" + text
                    + "', not a number" + (names == null ? "" : " or a name such as " + names.get(0))
                    + "; write " + FORM);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("The " + name + " " + value + " in '" + spec + "' is outside "
                    + min + "-" + max);
        }
        return value;
    }

    @Override
    public String spec() {
        return spec;
    }

    /**
     * Fields are matched against the wall clock of {@code zone}. Across daylight-saving changes: a wall
     * time that occurs twice (clocks go back) fires once, at its first occurrence; one that does not
     * occur (clocks go forward) fires at the instant it would have had, shifted by the gap (02:30 in a
     * one-hour gap fires at 03:30), as common cron implementations do.
     */
    @Override
    public Instant nextAfter(Instant after, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        LocalDateTime local = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS);
        int lastYear = local.getYear() + 8;
        while (true) {
            local = nextMatch(local, lastYear);
            List<ZoneOffset> offsets = rules.getValidOffsets(local);
            Instant candidate = offsets.isEmpty()
                    ? ZonedDateTime.ofLocal(local, zone, null).toInstant()
                    : local.toInstant(offsets.get(0));
            if (candidate.isAfter(after)) {
                return candidate;
            }
        }
    }

    /** The first wall time strictly after {@code from} that the fields match. */
    private LocalDateTime nextMatch(LocalDateTime from, int lastYear) {
        LocalDateTime time = from.plusSeconds(1);
        while (time.getYear() <= lastYear) {
            if (!months.get(time.getMonthValue())) {
                time = time.plusMonths(1).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
            } else if (!dayMatches(time)) {
                time = time.plusDays(1).truncatedTo(ChronoUnit.DAYS);
            } else if (!hours.get(time.getHour())) {
                time = time.plusHours(1).truncatedTo(ChronoUnit.HOURS);
            } else if (!minutes.get(time.getMinute())) {
                time = time.plusMinutes(1).truncatedTo(ChronoUnit.MINUTES);
            } else if (!seconds.get(time.getSecond())) {
                time = time.plusSeconds(1);
            } else {
                return time;
            }
        }
        throw new IllegalArgumentException("The cron expression '" + spec + "' never fires (no date matches its "
                + "day and month fields); check them");
    }

    private boolean dayMatches(LocalDateTime time) {
        boolean dayOfMonth = daysOfMonth.get(time.getDayOfMonth());
        boolean dayOfWeek = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
        if (!anyDayOfMonth && !anyDayOfWeek) {
            return dayOfMonth || dayOfWeek;
        }
        return dayOfMonth && dayOfWeek;
    }

    @Override
    public String toString() {
        return spec;
    }
}
