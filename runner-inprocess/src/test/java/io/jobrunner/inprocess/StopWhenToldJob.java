package io.jobrunner.inprocess;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;

/**
 * For the worker-process tests, discovered through META-INF/services: its first attempt waits up to
 * the payload's milliseconds, printing what stopped it ({@code isCancelled()} seen, or the interrupt)
 * and then returning a result that must never be stored; later attempts return at once.
 */
public final class StopWhenToldJob implements JobHandler<Integer> {

    public static final String TYPE = "stop-when-told";

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
    public Object run(Integer millis, JobContext context) {
        if (context.attempt() > 1) {
            return "done on attempt " + context.attempt();
        }
        long until = System.nanoTime() + millis * 1_000_000L;
        System.out.println("stop-when-told attempt 1 started");
        System.out.flush();
        try {
            while (!context.isCancelled() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            System.out.println("stop-when-told attempt 1 saw isCancelled() = " + context.isCancelled());
        } catch (InterruptedException e) {
            System.out.println("stop-when-told attempt 1 interrupted; isCancelled() = " + context.isCancelled());
        }
        System.out.flush();
        return "late result of attempt 1";
    }
}
