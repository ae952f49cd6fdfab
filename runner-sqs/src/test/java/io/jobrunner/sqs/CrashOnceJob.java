package io.jobrunner.sqs;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;

/**
 * For the worker-process tests, discovered through META-INF/services: its first attempt sleeps
 * for the payload's milliseconds (long enough to be killed mid-run); later attempts return at once.
 */
public final class CrashOnceJob implements JobHandler<Integer> {

    @Override
    public JobPolicy policy() {
        return JobPolicy.builder().idempotent().build();
    }

    @Override
    public String type() {
        return "crash-once";
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
