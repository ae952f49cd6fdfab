package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.Transport;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
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
    /** The first pause after a pass whose sends failed; it doubles while passes keep failing. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);

    private final JobRequestStore store;
    private final Transport transport;
    private final Retention retention;
    private final Object backoffLock = new Object();
    /** Consecutive passes whose sends failed, and when the next pass may send (guarded by {@link #backoffLock}). */
    private int failedPasses;
    private long sendAgainAt = Long.MIN_VALUE;

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

    /**
     * One pass. Hand-offs go in batches while batches come back full; the pass stops at the first
     * batch with a send that failed — its requests are left to the next pass, and passes back off
     * (from {@link #FIRST_BACKOFF}, doubling up to the transport's stale-after time) while sends keep
     * failing — so a lasting error (access denied, a deleted queue) costs one batch per pass,
     * never a loop against the database and the broker.
     */
    public Counts sweep() {
        int failed = Recovery.failAbandoned(store);
        retention.sweep(store);
        int requeued = 0;
        if (transport.requeuesAbandoned()) {
            requeued = store.requeueAbandoned(transport.runnerName(), transport.target()).size();
        }
        int handedOff = backingOff() ? 0 : sendDue();
        if (handedOff + requeued + failed > 0) {
            log.info("Hand-off sweep for {}: handed off {} jobs, requeued {} abandoned, failed {} abandoned",
                    transport.target(), handedOff, requeued, failed);
        }
        return new Counts(handedOff, requeued, failed);
    }

    /**
     * Hands off what is due and not handed off, without the rest of a pass: for jobs just released
     * by the finish of the last job they waited for. Logs instead of throwing.
     */
    public void handOffDue() {
        try {
            if (!backingOff()) {
                sendDue();
            }
        } catch (RuntimeException e) {
            log.warn("Handing off released jobs to {} failed; the next sweep sends them: {}", transport.target(), e.toString());
        }
    }

    private int sendDue() {
        int handedOff = 0;
        List<JobRequest> due;
        do {
            Instant now = Instant.now();
            due = store.claimHandOffs(transport.runnerName(), transport.target(), now.plus(transport.sweepLookAhead()),
                    transport.handOffStaleAfter(), BATCH);
            if (due.isEmpty()) {
                break;
            }
            List<Transport.Failure> failures = transport.sendJobs(due, now);
            for (Transport.Failure failure : failures) {
                store.clearHandOff(due.get(failure.index()).id());
            }
            handedOff += due.size() - failures.size();
            if (!failures.isEmpty()) {
                Duration pause = failedPass();
                Transport.Failure first = failures.get(0);
                log.warn("Could not hand off {} of {} job requests to {} (job request {}: {}); the sweep stops here and"
                                + " sends again in {} s", failures.size(), due.size(), transport.target(),
                        due.get(first.index()).id(), first.reason(), pause.toSeconds());
                return handedOff;
            }
        } while (due.size() == BATCH);
        synchronized (backoffLock) {
            failedPasses = 0;
            sendAgainAt = Long.MIN_VALUE;
        }
        return handedOff;
    }

    private boolean backingOff() {
        synchronized (backoffLock) {
            return failedPasses > 0 && System.nanoTime() - sendAgainAt < 0;
        }
    }

    /** Records a pass whose sends failed; returns how long the next passes leave sending alone. */
    private Duration failedPass() {
        synchronized (backoffLock) {
            failedPasses++;
            Duration pause = FIRST_BACKOFF.multipliedBy(1L << Math.min(failedPasses - 1, 20));
            if (pause.compareTo(transport.handOffStaleAfter()) > 0) {
                pause = transport.handOffStaleAfter();
            }
            sendAgainAt = System.nanoTime() + pause.toNanos();
            return pause;
        }
    }
}
