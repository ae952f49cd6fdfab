package io.jobrunner;

/** A task's or job's payload over its size limit. */
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

    /** A job's payload over {@code JOB_RUNNER_MAX_JOB_PAYLOAD_BYTES}. */
    public static PayloadTooLargeException ofJob(String jobType, long size, long limit) {
        return new PayloadTooLargeException(jobType, "The payload of job '" + jobType + "' is " + size + " bytes as JSON, "
                + "over the limit of " + limit + " bytes (" + Setting.MAX_JOB_PAYLOAD_BYTES.variable() + "). Store large "
                + "data elsewhere (a bucket, a table) and dispatch a reference to it, or raise the limit", size, limit);
    }

    private PayloadTooLargeException(String name, String message, long size, long limit) {
        super(name, message, null);
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
