package io.jobrunner.spi;

import io.jobrunner.InvalidSettingException;
import io.jobrunner.Setting;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only configuration by variable name, with typed readers whose errors name the variable,
 * the value and the fix. Readers that take a {@link Setting} use its registered default. Backed by
 * an injectable map so tests never touch the real environment. Immutable and thread-safe.
 */
public final class Settings {

    /** The prefix of jobrunner's own variables: one that is not a {@link Setting} is reported. */
    public static final String PREFIX = "JOB_RUNNER_";
    private static final Logger log = LoggerFactory.getLogger(Settings.class);
    /** Unknown variables already warned about in this JVM, so each is reported once. */
    private static final Set<String> reported = ConcurrentHashMap.newKeySet();

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

    /**
     * The variables that start with {@value #PREFIX} but are no {@link Setting}, each with the line
     * that reports it (naming the closest real setting when one is a few letters away).
     */
    public List<String> unknownVariables() {
        return values.keySet().stream()
                .filter(name -> name.startsWith(PREFIX) && Setting.of(name).isEmpty())
                .sorted()
                .map(name -> name + " is not a jobrunner setting and is ignored" + Setting.closestTo(name)
                        .map(closest -> "; did you mean " + closest.variable() + "?")
                        .orElse("; see docs/configuration.md for the settings there are"))
                .toList();
    }

    /**
     * Reports {@link #unknownVariables()}: a warning each (once per JVM), or with
     * {@code JOB_RUNNER_STRICT=true} an {@link InvalidSettingException} naming them all.
     */
    public void checkVariables() {
        List<String> unknown = unknownVariables();
        if (unknown.isEmpty()) {
            return;
        }
        if (flag(Setting.STRICT)) {
            String first = unknown.get(0).substring(0, unknown.get(0).indexOf(' '));
            throw new InvalidSettingException(first, values.get(first), String.join("; ", unknown)
                    + " (" + Setting.STRICT.variable() + "=true refuses unknown " + PREFIX + " variables)");
        }
        for (String line : unknown) {
            if (reported.add(line)) {
                log.warn(line);
            }
        }
    }

    /**
     * Reads every registered setting that is set, as its kind says, so a value that does not parse is
     * an {@link InvalidSettingException} now — before anything starts — rather than when a runner or
     * worker first reads it.
     */
    public void validate() {
        for (Setting setting : Setting.values()) {
            if (!isSet(setting)) {
                continue;
            }
            String name = setting.variable();
            switch (setting.kind()) {
                case FLAG -> flag(name, setting.defaultValue().map(Boolean::parseBoolean).orElse(false));
                case WHOLE_NUMBER, WHOLE_NUMBER_OR_ZERO -> wholeNumber(setting);
                case BYTES -> bytes(name, setting.defaultValue().map(Long::parseLong).orElse(1L));
                case DURATION -> duration(name, setting.defaultValue().map(Settings::parseDuration)
                        .orElse(Duration.ofSeconds(1)));
                case DURATION_OR_OFF -> durationOrOff(setting);
                case TEXT, NAMES -> {
                    // any text
                }
            }
        }
    }

    private void wholeNumber(Setting setting) {
        if (setting.defaultValue().isPresent()) {
            integer(setting);
            return;
        }
        String raw = get(setting).orElseThrow();
        try {
            if (Integer.parseInt(raw) >= setting.minimum()) {
                return;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidSettingException(setting.variable(), raw, "expected a whole number of at least "
                + setting.minimum());
    }

    /**
     * A duration, or empty for {@code 0} / {@code off} / {@code forever} (keep, never expire); the
     * setting's default when unset, or {@code otherwise} for a setting whose default is another's.
     */
    public Optional<Duration> durationOrOff(Setting setting, Optional<Duration> otherwise) {
        Optional<String> raw = get(setting).map(value -> value.toLowerCase(Locale.ROOT));
        if (raw.isEmpty()) {
            return otherwise;
        }
        if (raw.get().equals("0") || raw.get().equals("off") || raw.get().equals("forever")) {
            return Optional.empty();
        }
        Duration parsed = parseDuration(raw.get());
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            throw new InvalidSettingException(setting.variable(), raw.get(), "how long finished requests are kept: "
                    + "14d, 48h, 30m, or 0 / off to keep them all (default "
                    + Setting.RETENTION.defaultValue().orElse("14d") + ")");
        }
        return Optional.of(parsed);
    }

    private void durationOrOff(Setting setting) {
        durationOrOff(setting, Optional.empty());
    }

    /** The setting's value, trimmed; empty when unset or blank. */
    public Optional<String> get(Setting setting) {
        return get(setting.variable());
    }

    public boolean isSet(Setting setting) {
        return get(setting).isPresent();
    }

    /** The setting's value, else its default ({@code null} when it has none). */
    public String string(Setting setting) {
        return string(setting.variable(), setting.defaultValue().orElse(null));
    }

    /** A whole number at least the setting's minimum, else its default. */
    public int integer(Setting setting) {
        return integer(setting, Integer.parseInt(requireDefault(setting)));
    }

    /** A whole number at least the setting's minimum, else {@code fallback} (for defaults worked out from others). */
    public int integer(Setting setting, int fallback) {
        return integer(setting.variable(), fallback, setting.minimum());
    }

    /** A size in bytes, else the setting's default. */
    public long bytes(Setting setting) {
        return bytes(setting.variable(), Long.parseLong(requireDefault(setting)));
    }

    /** A flag, else the setting's default. */
    public boolean flag(Setting setting) {
        return flag(setting, Boolean.parseBoolean(requireDefault(setting)));
    }

    /** A flag, else {@code fallback} (for a setting whose default depends on the process). */
    public boolean flag(Setting setting, boolean fallback) {
        return flag(setting.variable(), fallback);
    }

    /** A positive duration, else the setting's default. */
    public Duration duration(Setting setting) {
        return duration(setting, parseDuration(requireDefault(setting)));
    }

    /** A positive duration, else {@code fallback}. */
    public Duration duration(Setting setting, Duration fallback) {
        return duration(setting.variable(), fallback);
    }

    /** A comma-separated list of names, trimmed, blanks dropped, in order; empty when unset. */
    public Set<String> names(Setting setting) {
        Set<String> names = new LinkedHashSet<>();
        for (String part : get(setting).orElse("").split(",")) {
            if (!part.isBlank()) {
                names.add(part.trim());
            }
        }
        return names;
    }

    private static String requireDefault(Setting setting) {
        return setting.defaultValue().orElseThrow(() -> new IllegalStateException(setting.variable()
                + " has no default; read it with a fallback"));
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
