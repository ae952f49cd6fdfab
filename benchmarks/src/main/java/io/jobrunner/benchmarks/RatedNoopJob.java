package io.jobrunner.benchmarks;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import java.time.Duration;

/**
 * A job that does nothing, rate-limited to {@code RATED_NOOP_PER_MINUTE} starts (default 1,000) in any
 * minute, for {@link RateLimitBenchmark}, whose worker processes ({@link RatedWorkerMain}) run it.
 */
public final class RatedNoopJob implements JobHandler<Integer> {

    public static final String TYPE = "rated-noop";

    static int perMinute() {
        String set = System.getenv("RATED_NOOP_PER_MINUTE");
        return set == null ? 1_000 : Integer.parseInt(set);
    }

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
        return JobPolicy.builder().rateLimit(perMinute(), Duration.ofMinutes(1)).build();
    }

    @Override
    public Object run(Integer n, JobContext context) {
        return null;
    }
}
