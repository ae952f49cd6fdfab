package io.jobrunner;

/** The root of every exception this library throws. Unchecked. */
public class JobRunnerException extends RuntimeException {
    public JobRunnerException(String message) {
        super(message);
    }

    public JobRunnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
