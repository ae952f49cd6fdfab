package io.jobrunner.spring.boot;

import io.jobrunner.InvalidSettingException;

/**
 * A {@code jobrunner.*} property (or the variable standing in for it) whose value does not parse:
 * names the property, the value and what it takes, so a context that fails to start says what to fix.
 */
public final class InvalidJobRunnerPropertyException extends IllegalStateException {

    private final String source;
    private final String value;

    InvalidJobRunnerPropertyException(String source, String value, InvalidSettingException cause) {
        super("Invalid " + source + " = '" + value + "': " + cause.getMessage(), cause);
        this.source = source;
        this.value = value;
    }

    /** Where the value came from, e.g. {@code "property jobrunner.concurrency"}. */
    public String source() {
        return source;
    }

    public String value() {
        return value;
    }
}
