package io.jobrunner.inprocess;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;

/**
 * For the worker-process tests, discovered through META-INF/services: its first attempt sleeps for
 * the payload's milliseconds (long enough to be killed mid-run); later attempts return at once.
 */
public final class SleepOnceJob implements JobHandler<Integer> {

    public static final String TYPE = "sleep-once";

    @Override
    public JobPolicy policy() {
        return JobPolicy.builder().idempotent().build();
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
    public Object run(Integer millis, JobContext context) throws InterruptedException {
        if (context.attempt() == 1) {
            Thread.sleep(millis);
        }
        return "done on attempt " + context.attempt();
    }
}
