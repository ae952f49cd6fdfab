package io.jobrunner.spring.boot;

import io.jobrunner.JobCounts;
import io.jobrunner.JobLimit;
import io.jobrunner.JobLog;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobThroughput;
import io.jobrunner.JobWorker;
import io.jobrunner.Pause;
import io.jobrunner.PausedWork;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@link JobRequests} bean: the runner's, reached on each call, so the bean exists before the runner is built. */
final class RunnerJobRequests implements JobRequests {

    private final TransactionalJobRunner runner;

    RunnerJobRequests(TransactionalJobRunner runner) {
        this.runner = runner;
    }

    private JobRequests jobs() {
        return runner.jobs();
    }

    @Override
    public Optional<JobRequest> find(long id) {
        return jobs().find(id);
    }

    @Override
    public Optional<JobRequest> findByDedupKey(String dedupKey) {
        return jobs().findByDedupKey(dedupKey);
    }

    @Override
    public List<JobRequest> list(JobQuery query) {
        return jobs().list(query);
    }

    @Override
    public JobLog log(long id) {
        return jobs().log(id);
    }

    @Override
    public long count(JobQuery query) {
        return jobs().count(query);
    }

    @Override
    public JobCounts counts() {
        return jobs().counts();
    }

    @Override
    public List<JobThroughput> finishedPerMinute(Instant since) {
        return jobs().finishedPerMinute(since);
    }

    @Override
    public Optional<JobRequest> cancel(long id) {
        return jobs().cancel(id);
    }

    @Override
    public Optional<JobRequest> retry(long id) {
        return jobs().retry(id);
    }

    @Override
    public boolean pause(Pause pause) {
        return jobs().pause(pause);
    }

    @Override
    public boolean resume(Pause pause) {
        return jobs().resume(pause);
    }

    @Override
    public List<PausedWork> paused() {
        return jobs().paused();
    }

    @Override
    public List<JobLimit> limits() {
        return jobs().limits();
    }

    @Override
    public int purgeFinished(Duration olderThan) {
        return jobs().purgeFinished(olderThan);
    }

    @Override
    public Optional<JobRequest> await(long id, Duration timeout) {
        return jobs().await(id, timeout);
    }

    @Override
    public Optional<JobRequest> await(String dedupKey, Duration timeout) {
        return jobs().await(dedupKey, timeout);
    }

    @Override
    public String description() {
        return jobs().description();
    }

    @Override
    public List<JobWorker> workers() {
        return jobs().workers();
    }
}
