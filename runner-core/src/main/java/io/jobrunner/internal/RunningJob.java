package io.jobrunner.internal;

import io.jobrunner.JobContext;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import java.time.Duration;
import java.time.Instant;
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
    private volatile String lastMessage;
    /** Lines logged and not stored yet, oldest first (guarded by itself). */
    private final List<JobLogLine> unwritten = new ArrayList<>();

    RunningJob(JobRequest request, Lease lease, JobRequestStore store, Instant deadline) {
        this.request = request;
        this.lease = lease;
        this.store = store;
        this.deadline = deadline;
        this.cancelled = request.cancelRequested();
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
            unwritten.add(line);
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
        synchronized (unwritten) {
            if (unwritten.isEmpty()) {
                return;  // most jobs log nothing: no allocation at the end of each attempt
            }
            lines = new ArrayList<>(unwritten);
            unwritten.clear();
        }
        try {
            store.appendLog(request.id(), lines, JobLog.MAX_LINES);
        } catch (RuntimeException e) {
            synchronized (unwritten) {
                unwritten.addAll(0, lines);
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

    String lastMessage() {
        return lastMessage;
    }

    void heartbeat(Duration leaseTime) {
        writeLog();
        try {
            Optional<JobRequest> current = store.heartbeat(lease, leaseTime);
            if (current.isPresent()) {
                observe(current.get());
            } else {
                log.warn("Lost the lease of job {} ({}) attempt {} while it ran", request.id(), request.jobType(),
                        lease.attempt());
            }
        } catch (RuntimeException e) {
            log.warn("Lease heartbeat for job {} failed; will try again: {}", request.id(), e.toString());
        }
    }

    private void observe(JobRequest current) {
        if (current.cancelRequested()) {
            cancelled = true;
        }
    }
}
