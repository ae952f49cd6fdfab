package io.jobrunner;

/** A task payload over the size limit of the runner. */
public final class PayloadTooLargeException extends PayloadException {
    private final long size;
    private final long limit;

    public PayloadTooLargeException(String taskName, long size, long limit, String limitSetting) {
        super(taskName, "The payload of task '" + taskName + "' is " + size + " bytes as JSON, over the limit of "
                + limit + " bytes (" + limitSetting + "). Tasks travel whole; dispatch it as a job instead, "
                + "whose payload is stored and only its id travels", null);
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
