package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.Transport;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery for runners that hand work to other processes: fails requests abandoned with no attempts
 * left, deletes finished ones past their {@link Retention}, queues again those abandoned with
 * attempts left where nothing else brings them back, and
 * sends the hand-offs of requests that are due and not handed off — delayed beyond what the
 * transport can delay, whose send failed, or whose hand-off was lost. Any number of processes may
 * sweep at once: each takes disjoint requests. Thread-safe.
 */
public final class HandOffSweep implements Runnable {

    /** What one sweep did. */
    public record Counts(int handedOff, int requeued, int failed) {
    }

    private static final Logger log = LoggerFactory.getLogger(HandOffSweep.class);
    private static final int BATCH = 100;

    private final JobRequestStore store;
    private final Transport transport;
    private final Retention retention;

    /** @param retention what finished requests each sweep deletes, see {@link Retention} */
    public HandOffSweep(JobRequestStore store, Transport transport, Retention retention) {
        this.store = store;
        this.transport = transport;
        this.retention = retention;
    }

    /** Sweeps, logging instead of throwing: for timers. */
    @Override
    public void run() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("Hand-off sweep for {} failed; the next one tries again: {}", transport.target(), e.toString());
        }
    }

    public Counts sweep() {
        int failed = Recovery.failAbandoned(store);
        retention.sweep(store);
        int requeued = 0;
        if (transport.requeuesAbandoned()) {
            requeued = store.requeueAbandoned(transport.runnerName(), transport.target()).size();
        }
        int handedOff = 0;
        List<JobRequest> due;
        do {
            Instant now = Instant.now();
            due = store.claimHandOffs(transport.runnerName(), transport.target(), now.plus(transport.sweepLookAhead()),
                    transport.handOffStaleAfter(), BATCH);
            if (!due.isEmpty()) {
                List<Transport.Failure> failures = transport.sendJobs(due, now);
                for (Transport.Failure failure : failures) {
                    JobRequest job = due.get(failure.index());
                    store.clearHandOff(job.id());
                    log.warn("Could not hand off job request {} to {}; the next sweep tries again: {}", job.id(),
                            transport.target(), failure.reason());
                }
                handedOff += due.size() - failures.size();
            }
        } while (due.size() == BATCH);
        if (handedOff + requeued + failed > 0) {
            log.info("Hand-off sweep for {}: handed off {} jobs, requeued {} abandoned, failed {} abandoned",
                    transport.target(), handedOff, requeued, failed);
        }
        return new Counts(handedOff, requeued, failed);
    }
}
