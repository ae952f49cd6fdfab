package io.jobrunner.spring.boot;

import io.jobrunner.Setting;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.core.env.Environment;

/**
 * The {@code jobrunner.*} property of every setting an application sets, from the one settings
 * registry ({@link Setting}): {@code JOB_RUNNER} is {@code jobrunner.runner}, {@code DATABASE_URL}
 * is {@code jobrunner.database-url}, and every other variable loses its {@code JOB_RUNNER_} prefix
 * and is written in kebab case ({@code JOB_RUNNER_LEASE_TIME} is {@code jobrunner.lease-time}) —
 * under a group where its first word names a part with several settings and no setting of its own
 * (sqs, lambda, dashboard, worker, db, handoff: {@code JOB_RUNNER_SQS_QUEUE_URL} is
 * {@code jobrunner.sqs.queue-url}). Settings read only by tests, the command line or the
 * legacy runner have no property.
 */
public final class SettingProperties {

    /** The prefix of every property. */
    public static final String PREFIX = "jobrunner";

    /** Parts whose settings are grouped under {@code jobrunner.<part>.}. */
    private static final List<String> GROUPS = List.of("SQS", "LAMBDA", "DASHBOARD", "WORKER", "DB", "HANDOFF");

    /** Read by no application: the tests, the command's class path and the legacy runner's switches. */
    private static final Set<Setting> NOT_PROPERTIES = Set.of(Setting.TEST_DATABASE_URL, Setting.CONTRACT_EFFECTS_URL,
            Setting.CLASSPATH, Setting.HANDLERS, Setting.JOBS_SAME_PROCESS, Setting.JOBS_SYNC, Setting.TASKS_SYNC);

    private SettingProperties() {
    }

    /** Every setting an application can set by property, in the registry's order. */
    public static List<Setting> settings() {
        return Arrays.stream(Setting.values()).filter(setting -> !NOT_PROPERTIES.contains(setting)).toList();
    }

    /** The property of a setting, e.g. {@code jobrunner.sqs.queue-url}; empty for those no application sets. */
    public static Optional<String> property(Setting setting) {
        if (NOT_PROPERTIES.contains(setting)) {
            return Optional.empty();
        }
        if (setting == Setting.RUNNER) {
            return Optional.of(PREFIX + ".runner");
        }
        String rest = setting.variable().startsWith("JOB_RUNNER_") ? setting.variable().substring("JOB_RUNNER_".length())
                : setting.variable();
        for (String group : GROUPS) {
            if (rest.startsWith(group + "_")) {
                return Optional.of(PREFIX + "." + kebab(group) + "." + kebab(rest.substring(group.length() + 1)));
            }
        }
        return Optional.of(PREFIX + "." + kebab(rest));
    }

    /** The setting a property name stands for, if any. */
    public static Optional<Setting> settingOf(String property) {
        return settings().stream().filter(setting -> property(setting).orElseThrow().equals(property)).findFirst();
    }

    /**
     * The settings the application's properties give, by variable name: what a {@code jobrunner.*}
     * property sets (in any property source — {@code application.yml}, the command line, a Spring-style
     * {@code JOBRUNNER_…} variable), over the {@code JOB_RUNNER_*} variables of the process
     * environment, which keep working for what no property sets.
     */
    public static Map<String, String> resolve(Environment environment, Map<String, String> processEnvironment) {
        Map<String, String> values = new HashMap<>(processEnvironment);
        for (Setting setting : settings()) {
            String value = environment.getProperty(property(setting).orElseThrow());
            if (value != null) {
                values.put(setting.variable(), value);
            }
        }
        return values;
    }

    /** Where a setting's value came from, for an error: the property when one set it, else the variable. */
    static String source(Environment environment, Setting setting) {
        String property = property(setting).orElse(null);
        return property != null && environment.getProperty(property) != null ? "property " + property
                : "environment variable " + setting.variable() + (property == null ? "" : " (or property " + property + ")");
    }

    /** The properties of the setting variables a message names, e.g. of a runner lacking settings. */
    static List<String> propertyNamesIn(String message) {
        return settings().stream().filter(setting -> message.matches("(?s).*\\b" + setting.variable() + "\\b.*"))
                .map(setting -> property(setting).orElseThrow()).toList();
    }

    private static String kebab(String upperSnake) {
        return upperSnake.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
