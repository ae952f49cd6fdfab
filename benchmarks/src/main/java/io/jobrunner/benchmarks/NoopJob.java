package io.jobrunner.benchmarks;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;

/** A job that does nothing, for burn-down figures; listed in META-INF/services for worker processes. */
public final class NoopJob implements JobHandler<Integer> {

    public static final String TYPE = "noop";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<Integer> payloadType() {
        return Integer.class;
    }

    @Override
    public Object run(Integer n, JobContext context) {
        return null;
    }
}
