package io.jobrunner;

/**
 * Runs one type of tracked job. Register it on a {@link HandlerRegistry}, or list it in
 * {@code META-INF/services/io.jobrunner.JobHandler} for discovery (then it needs a public no-arg
 * constructor).
 *
 * <p>Implementations must be thread-safe: one instance runs many jobs at once. A handler whose
 * {@link #policy()} declares it idempotent is retried after failures, timeouts and workers lost
 * mid-run; any other runs at most once per dispatch or manual retry.
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
     * @throws Exception to fail this attempt; it is retried when the policy allows
     */
    Object run(P payload, JobContext context) throws Exception;

    /**
     * How this job type is run: retries, backoff, timeout. The default is one attempt with no
     * timeout; declare the handler {@linkplain JobPolicy.Builder#idempotent() idempotent} to have it
     * retried automatically.
     */
    default JobPolicy policy() {
        return JobPolicy.defaults();
    }

    /** A handler from a type, a payload class and a function, with the default policy. */
    static <P> JobHandler<P> of(String type, Class<P> payloadType, Body<P> body) {
        return of(type, payloadType, JobPolicy.defaults(), body);
    }

    /** A handler from a type, a payload class, a policy and a function. */
    static <P> JobHandler<P> of(String type, Class<P> payloadType, JobPolicy policy, Body<P> body) {
        return new JobHandler<>() {
            @Override
            public JobPolicy policy() {
                return policy;
            }

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
