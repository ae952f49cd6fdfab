package io.jobrunner.spring.boot;

import io.jobrunner.JobCounts;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.Readiness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code /actuator/health/jobRunner}: UP while the runner is open, its store answers, its queue or
 * function is reachable ({@link JobRunner#readiness()}, one round trip each), the backlog of queued
 * jobs is at most {@code jobrunner.health.max-queued} and the oldest due job has waited at most
 * {@code jobrunner.health.max-wait}; DOWN naming what is not. Details: runner, queued, running,
 * failed, the oldest due job's wait.
 */
public final class JobRunnerHealthIndicator extends AbstractHealthIndicator {

    private final JobRunner runner;
    private final long maxQueued;
    private final Duration maxWait;

    public JobRunnerHealthIndicator(JobRunner runner, long maxQueued, Duration maxWait) {
        super("Checking the job runner's health failed");
        this.runner = runner;
        this.maxQueued = maxQueued;
        this.maxWait = maxWait;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        health.withDetail("runner", runner.name());
        Readiness readiness = runner.readiness();
        if (!readiness.ready()) {
            health.down().withDetail("problems", readiness.problems());
            return;
        }
        JobCounts counts = runner.jobs().counts();
        long queued = counts.of(JobStatus.QUEUED);
        health.withDetail("queued", queued).withDetail("running", counts.of(JobStatus.RUNNING))
                .withDetail("failed", counts.of(JobStatus.FAILED));
        Duration waited = oldestWait();
        health.withDetail("oldestDueWaitSeconds", waited.toSeconds());
        if (queued > maxQueued) {
            health.down().withDetail("problem", queued + " jobs are queued, over jobrunner.health.max-queued ("
                    + maxQueued + "): are workers running and keeping up?");
        } else if (waited.compareTo(maxWait) > 0) {
            health.down().withDetail("problem", "the oldest due job has waited " + waited.toSeconds()
                    + " s, over jobrunner.health.max-wait (" + maxWait.toSeconds() + " s): are workers running for its type?");
        } else {
            health.up();
        }
    }

    /** How long the first queued request (the oldest) has been due; zero when none is, or it is due later. */
    private Duration oldestWait() {
        List<JobRequest> first = runner.jobs().list(JobQuery.all().withStatus(JobStatus.QUEUED).limit(1).previews(0));
        if (first.isEmpty() || first.get(0).runAt() == null) {
            return Duration.ZERO;
        }
        Duration waited = Duration.between(first.get(0).runAt(), Instant.now());
        return waited.isNegative() ? Duration.ZERO : waited;
    }
}
