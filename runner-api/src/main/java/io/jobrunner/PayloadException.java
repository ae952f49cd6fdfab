package io.jobrunner;

/** A payload that cannot be dispatched or cannot be read back into the handler's type. */
public class PayloadException extends JobRunnerException {
    private final String handlerName;

    public PayloadException(String handlerName, String message, Throwable cause) {
        super(message, cause);
        this.handlerName = handlerName;
    }

    /** The task name or job type the payload was for. */
    public String handlerName() {
        return handlerName;
    }
}
