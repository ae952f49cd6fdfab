package io.jobrunner;

/**
 * Runs one type of tracked job. Register it on a {@link HandlerRegistry}, or list it in
 * {@code META-INF/services/io.jobrunner.JobHandler} for discovery (then it needs a public no-arg
 * constructor).
 *
 * <p>Implementations must be thread-safe: one instance runs many jobs at once. Execution is
 * at-least-once (a worker that dies mid-run leaves the job to be run again once its lease
 * expires), so a handler should be idempotent.
 *
 * @param <P> the payload type, read from JSON with Jackson
 */
public interface JobHandler<P> {

    /** The job type used in {@link JobData#jobType()}. */
    String type();

    /** The class the JSON payload is read into. */
    Class<P> payloadType();

    /**
     * Does the work.
     *
     * @return a result stored on the request as JSON, or {@code null}
     * @throws Exception to fail this attempt; it is retried while attempts remain
     */
    Object run(P payload, JobContext context) throws Exception;

    /** A handler from a type, a payload class and a function. */
    static <P> JobHandler<P> of(String type, Class<P> payloadType, Body<P> body) {
        return new JobHandler<>() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Class<P> payloadType() {
                return payloadType;
            }

            @Override
            public Object run(P payload, JobContext context) throws Exception {
                return body.run(payload, context);
            }
        };
    }

    /** The work of a job, for {@link #of}. */
    @FunctionalInterface
    interface Body<P> {
        Object run(P payload, JobContext context) throws Exception;
    }
}
