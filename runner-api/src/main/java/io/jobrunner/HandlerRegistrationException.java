package io.jobrunner;

/** A handler could not be registered or discovered: a blank name, a duplicate, a broken service entry. */
public final class HandlerRegistrationException extends JobRunnerException {
    public HandlerRegistrationException(String message) {
        super(message);
    }

    public HandlerRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
