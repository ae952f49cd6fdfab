package io.jobrunner.benchmarks;

import io.jobrunner.JobContext;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import java.util.ArrayList;
import java.util.List;

/** A job that does nothing, for burn-down figures; listed in META-INF/services for worker processes. */
public final class NoopJob implements JobHandler<Integer> {

    public static final String TYPE = "noop";

    /** {@code count} no-op jobs, their payloads 0, 1, 2, …, for one {@code dispatchJobs} call. */
    static List<JobData> batch(int count) {
        List<JobData> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(JobData.of(TYPE, i));
        }
        return batch;
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
    public Object run(Integer n, JobContext context) {
        return null;
    }
}
