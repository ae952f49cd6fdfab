package io.jobrunner;

/** A setting (environment variable) holds a value that cannot be used. */
public final class InvalidSettingException extends JobRunnerException {
    private final String variable;
    private final String value;

    public InvalidSettingException(String variable, String value, String expected) {
        super(variable + "='" + value + "' is not valid: " + expected);
        this.variable = variable;
        this.value = value;
    }

    public String variable() {
        return variable;
    }

    public String value() {
        return value;
    }
}
