package io.jobrunner.store;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads a {@code timestamptz} as PostgreSQL writes it in text (the ISO date style, which the driver
 * sets): {@code 2026-12-06 07:28:00.123456+00}, the offset as {@code ±HH}, {@code ±HH:MM} or
 * {@code ±HH:MM:SS}. Eight of them in every row a claim or a finish returns, so they are read
 * straight from the text instead of through a {@code Calendar}. Anything else — {@code infinity},
 * a year past 9999 or before the common era — is left to the driver ({@code null}).
 */
final class PostgresTimestamps {

    private PostgresTimestamps() {
    }

    /** The instant {@code text} names, or {@code null} when it is not in the form above. */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int first = ++at;
            while (at < length && at - first < 9 && isDigit(text.charAt(at))) {
                nanos = nanos * 10 + (text.charAt(at++) - '0');
            }
            if (at == first) {
                return null;
            }
            for (int scale = at - first; scale < 9; scale++) {
                nanos *= 10;
            }
        }
        int offset = offsetSeconds(text, at);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || offset == Integer.MIN_VALUE) {
            return null;
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second - offset, nanos);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** {@code ±HH[:MM[:SS]]} from {@code at} to the end, in seconds; {@link Integer#MIN_VALUE} when it is not. */
    private static int offsetSeconds(String text, int at) {
        int length = text.length();
        char sign = at < length ? text.charAt(at) : ' ';
        if ((sign != '+' && sign != '-') || (length - at != 3 && length - at != 6 && length - at != 9)) {
            return Integer.MIN_VALUE;
        }
        int seconds = 0;
        for (int part = at + 1, unit = 3_600; part < length; part += 3, unit /= 60) {
            if (part > at + 1 && text.charAt(part - 1) != ':') {
                return Integer.MIN_VALUE;
            }
            int value = digits(text, part, 2);
            if (value < 0 || value > 59) {
                return Integer.MIN_VALUE;
            }
            seconds += value * unit;
        }
        return sign == '-' ? -seconds : seconds;
    }

    /** The number written by {@code count} digits from {@code at}; -1 when one is not a digit. */
    private static int digits(String text, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
