package io.jobrunner.internal;

import io.jobrunner.JobContext;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link JobContext} of one attempt, kept current by the lease heartbeat. Thread-safe. */
final class RunningJob implements JobContext {

    private static final Logger log = LoggerFactory.getLogger(RunningJob.class);
    /** Where the lines handlers log go in this process, besides the request's own log. */
    private static final Logger JOB_LOG = LoggerFactory.getLogger("io.jobrunner.job");

    private final JobRequest request;
    private final Lease lease;
    private final JobRequestStore store;
    private final Instant deadline;
    private volatile boolean cancelled;
    private volatile boolean leaseLost;
    /** When the lease runs out unless renewed, by this process's clock (a renewal sets it a lease time ahead). */
    private volatile long leaseEndsNanos;
    private volatile String lastMessage;
    /** Most lines waiting to be stored: what the store keeps, less one for the line that counts those dropped. */
    static final int MAX_UNWRITTEN = JobLog.MAX_LINES - 1;
    /** Lines logged and not stored yet, oldest first, at most {@link #MAX_UNWRITTEN} (guarded by itself). */
    private final ArrayDeque<JobLogLine> unwritten = new ArrayDeque<>();
    /** Lines dropped from {@link #unwritten} before they could be stored (guarded by {@link #unwritten}). */
    private int droppedUnwritten;

    RunningJob(JobRequest request, Lease lease, JobRequestStore store, Instant deadline, Duration leaseTime) {
        this.request = request;
        this.lease = lease;
        this.store = store;
        this.deadline = deadline;
        this.cancelled = request.cancelRequested();
        this.leaseEndsNanos = System.nanoTime() + leaseTime.toNanos();
    }

    @Override
    public JobRequest request() {
        return request;
    }

    @Override
    public int attempt() {
        return lease.attempt();
    }

    @Override
    public void progress(int percent, String message) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("Progress must be between 0 and 100, got " + percent
                    + " (job id: " + request.id() + ")");
        }
        lastMessage = message;
        writeLog();
        store.progress(lease, percent, message).ifPresent(this::observe);
    }

    @Override
    public void log(JobLogLine.Level level, String message) {
        JobLogLine line = new JobLogLine(Instant.now(), lease.attempt(), level, message);
        synchronized (unwritten) {
            if (unwritten.size() >= MAX_UNWRITTEN) {
                unwritten.removeFirst();  // the store keeps only the last lines anyway
                droppedUnwritten++;
            }
            unwritten.addLast(line);
        }
        switch (level) {
            case DEBUG -> JOB_LOG.debug("{}", line.message());
            case INFO -> JOB_LOG.info("{}", line.message());
            case WARN -> JOB_LOG.warn("{}", line.message());
            case ERROR -> JOB_LOG.error("{}", line.message());
        }
    }

    /**
     * Stores the lines logged since the last call. Called by progress, by the heartbeat, and at the
     * end of the attempt, one at a time so lines are stored in the order they were logged; a failure
     * is logged and the lines tried again next time.
     */
    synchronized void writeLog() {
        List<JobLogLine> lines;
        int dropped;
        synchronized (unwritten) {
            if (unwritten.isEmpty()) {
                return;  // most jobs log nothing: no allocation at the end of each attempt
            }
            lines = new ArrayList<>(unwritten.size() + 1);
            dropped = droppedUnwritten;
            if (dropped > 0) {
                lines.add(new JobLogLine(unwritten.peekFirst().at(), lease.attempt(), JobLogLine.Level.WARN, dropped
                        + " earlier lines of this attempt were dropped before they could be stored"));
            }
            lines.addAll(unwritten);
            unwritten.clear();
            droppedUnwritten = 0;
        }
        try {
            store.appendLog(request.id(), lines, JobLog.MAX_LINES);
        } catch (RuntimeException e) {
            synchronized (unwritten) {
                // back in front of what was logged meanwhile, within the same bound
                List<JobLogLine> again = dropped > 0 ? lines.subList(1, lines.size()) : lines;
                for (int i = again.size() - 1; i >= 0; i--) {
                    if (unwritten.size() >= MAX_UNWRITTEN) {
                        droppedUnwritten++;
                    } else {
                        unwritten.addFirst(again.get(i));
                    }
                }
                droppedUnwritten += dropped;
            }
            log.warn("Storing {} log lines of job {} failed; will try again: {}", lines.size(), request.id(), e.toString());
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public Optional<Duration> remainingTime() {
        if (deadline == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(Instant.now(), deadline);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    /** Lines waiting to be stored. */
    int unwrittenLines() {
        synchronized (unwritten) {
            return unwritten.size();
        }
    }

    String lastMessage() {
        return lastMessage;
    }

    /**
     * Renews the lease. Returns false once the lease is lost — another worker holds the request (the
     * lease expired while this process was frozen, paused or cut off), or renewals kept failing until
     * the lease ran out — and from then on the handler sees {@link #isCancelled()}: at most one worker
     * holds a job, and one that lost it is told to stop.
     */
    boolean heartbeat(Duration leaseTime) {
        if (leaseLost) {
            return false;
        }
        writeLog();
        long renewing = System.nanoTime();
        try {
            Optional<JobRequest> current = store.heartbeat(lease, leaseTime);
            if (current.isPresent()) {
                leaseEndsNanos = renewing + leaseTime.toNanos();
                observe(current.get());
                return true;
            }
            return lost("another worker holds it now");
        } catch (RuntimeException e) {
            if (System.nanoTime() - leaseEndsNanos > 0) {
                return lost("renewing it kept failing until it ran out: " + e);
            }
            log.warn("Lease heartbeat for job {} failed; will try again: {}", request.id(), e.toString());
            return true;
        }
    }

    private boolean lost(String why) {
        leaseLost = true;
        cancelled = true;
        log.warn("Lost the lease of job {} ({}) attempt {} while it ran ({}); the handler is told to stop and"
                + " interrupted, and nothing it returns is stored", request.id(), request.jobType(), lease.attempt(), why);
        return false;
    }

    private void observe(JobRequest current) {
        if (current.cancelRequested()) {
            cancelled = true;
        }
    }
}
