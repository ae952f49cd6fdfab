package io.jobrunner.lambda;

import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.spi.Envelope;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invokes the function for stored {@code lambda-async} jobs that are due and not handed off:
 * delayed jobs, jobs whose invocation failed, retries left for later, and jobs whose run was cut
 * short (the function timed out or crashed: their lease expired). Runs on scheduled events, and
 * at most every {@value #OPPORTUNISTIC_INTERVAL_SECONDS} s after a job in a warm container.
 */
final class HandOffSweep {

    record Counts(int handedOff, int requeued, int failed) {
    }

    private static final Logger log = LoggerFactory.getLogger(HandOffSweep.class);
    private static final int BATCH = 100;
    private static final long OPPORTUNISTIC_INTERVAL_SECONDS = 30;
    private static final AtomicLong lastRun = new AtomicLong();

    private final FunctionRuntime runtime;

    HandOffSweep(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    /** Runs the sweep if this container has not run it recently and the function dispatches to one. */
    static void runIfDue(FunctionRuntime runtime) {
        long now = System.currentTimeMillis();
        long last = lastRun.get();
        if (now - last >= OPPORTUNISTIC_INTERVAL_SECONDS * 1000 && lastRun.compareAndSet(last, now)) {
            try {
                new HandOffSweep(runtime).run();
            } catch (RuntimeException e) {
                log.warn("Hand-off sweep after the job failed; the next one retries: {}", e.toString());
            }
        }
    }

    Counts run() {
        lastRun.set(System.currentTimeMillis());
        JobRequestStore store = runtime.store();
        int failed = store.failAbandoned().size();
        if (runtime.lambdaSettings().isEmpty()) {
            return new Counts(0, 0, failed);
        }
        LambdaSettings target = runtime.lambdaSettings().get();
        int requeued = store.requeueAbandoned(LambdaRunnerProvider.NAME, target.function()).size();
        int handedOff = 0;
        List<JobRequest> due;
        do {
            due = store.claimHandOffs(LambdaRunnerProvider.NAME, target.function(),
                    Instant.now().plus(target.maxInlineWait()), target.handOffStaleAfter(), BATCH);
            for (JobRequest job : due) {
                try {
                    runtime.invoker(target).invokeAsync(Envelope.job(job.id()));
                    handedOff++;
                } catch (LambdaInvoker.InvokeFailedException e) {
                    store.clearHandOff(job.id());
                    log.warn("Could not invoke the function for job request {}; the next sweep retries: {}", job.id(),
                            e.getMessage());
                }
            }
        } while (due.size() == BATCH);
        if (handedOff + requeued + failed > 0) {
            log.info("Hand-off sweep: invoked {} jobs, requeued {} abandoned, failed {} abandoned", handedOff, requeued, failed);
        }
        return new Counts(handedOff, requeued, failed);
    }
}
