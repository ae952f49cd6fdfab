package io.jobrunner.benchmarks;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;

/** A job that does nothing in a child JVM of 64 MB, for {@link IsolationBenchmark}. */
public final class IsolatedNoopJob implements JobHandler<Integer> {

    public static final String TYPE = "isolated-noop";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<Integer> payloadType() {
        return Integer.class;
    }

    @Override
    public JobPolicy policy() {
        return JobPolicy.builder().isolated("64m").build();
    }

    @Override
    public Object run(Integer n, JobContext context) {
        return null;
    }
}
