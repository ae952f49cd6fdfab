package io.jobrunner;

/** The job request store failed: unreachable, misconfigured, or an operation failed. */
public class JobStoreException extends JobRunnerException {
    public JobStoreException(String message) {
        super(message);
    }

    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
