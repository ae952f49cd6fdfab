package io.jobrunner.internal;

import io.jobrunner.JobContext;
import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link JobContext} of one attempt, kept current by the lease heartbeat. Thread-safe. */
final class RunningJob implements JobContext {

    private static final Logger log = LoggerFactory.getLogger(RunningJob.class);

    private final JobRequest request;
    private final Lease lease;
    private final JobRequestStore store;
    private final Instant deadline;
    private volatile boolean cancelled;
    private volatile String lastMessage;

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
        store.progress(lease, percent, message).ifPresent(this::observe);
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
