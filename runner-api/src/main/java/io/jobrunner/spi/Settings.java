package io.jobrunner.spi;

import io.jobrunner.InvalidSettingException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only configuration by variable name, with typed readers whose errors name the variable,
 * the value and the fix. Backed by an injectable map so tests never touch the real environment.
 * Immutable and thread-safe.
 */
public final class Settings {

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    /** The value, trimmed; empty when unset or blank. */
    public Optional<String> get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public boolean isSet(String name) {
        return get(name).isPresent();
    }

    public String string(String name, String defaultValue) {
        return get(name).orElse(defaultValue);
    }

    /** An integer at least {@code min}. */
    public int integer(String name, int defaultValue, int min) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidSettingException(name, raw.get(), "expected a whole number of at least " + min
                + " (default " + defaultValue + ")");
    }

    /** A size in bytes, at least 1. */
    public long bytes(String name, long defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidSettingException(name, raw.get(), "expected a positive number of bytes (default "
                + defaultValue + ")");
    }

    /** A yes/no flag: true, false, 1, 0, yes, no (any case). */
    public boolean flag(String name, boolean defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw new InvalidSettingException(name, raw.get(), "expected true or false (also 1/0, yes/no)");
        }
    }

    /**
     * A positive duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, a plain
     * number of seconds, or ISO-8601 such as {@code PT30S}.
     */
    public Duration duration(String name, Duration defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration parsed = parseDuration(raw.get());
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            throw new InvalidSettingException(name, raw.get(), "expected a positive duration such as 250ms, 30s, "
                    + "5m, 2h, 7d or PT30S (default " + format(defaultValue) + ")");
        }
        return parsed;
    }

    private static Duration parseDuration(String text) {
        String value = text.toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("pt") || value.startsWith("p")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
            }
            char unit = value.charAt(value.length() - 1);
            String number = value.substring(0, value.length() - 1).trim();
            switch (unit) {
                case 's':
                    return Duration.ofSeconds(Long.parseLong(number));
                case 'm':
                    return Duration.ofMinutes(Long.parseLong(number));
                case 'h':
                    return Duration.ofHours(Long.parseLong(number));
                case 'd':
                    return Duration.ofDays(Long.parseLong(number));
                default:
                    return Duration.ofSeconds(Long.parseLong(value));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
