package io.jobrunner.store;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** A changed copy of a {@link JobRequest}, for the embedded store's transitions. Not thread-safe. */
final class JobRequestBuilder {
    private final JobRequest base;
    private JobStatus status;
    private int progress;
    private String resultMessage;
    private String resultJson;
    private String lastError;
    private int attempts;
    private Instant runAt;
    private String lockedBy;
    private Instant lockedUntil;
    private boolean cancelRequested;
    private Instant handedOffAt;
    private Instant updatedAt;
    private Instant startedAt;
    private Instant finishedAt;
    private Instant attemptStartedAt;
    private final List<JobAttempt> history;

    JobRequestBuilder(JobRequest base) {
        this.base = base;
        this.status = base.status();
        this.progress = base.progress();
        this.resultMessage = base.resultMessage();
        this.resultJson = base.resultJson();
        this.lastError = base.lastError();
        this.attempts = base.attempts();
        this.runAt = base.runAt();
        this.lockedBy = base.lockedBy();
        this.lockedUntil = base.lockedUntil();
        this.cancelRequested = base.cancelRequested();
        this.handedOffAt = base.handedOffAt();
        this.updatedAt = base.updatedAt();
        this.startedAt = base.startedAt();
        this.finishedAt = base.finishedAt();
        this.attemptStartedAt = base.attemptStartedAt();
        this.history = new ArrayList<>(base.history());
    }

    JobRequestBuilder attemptStartedAt(Instant value) {
        attemptStartedAt = value;
        return this;
    }

    /** Appends the attempt the base row holds (its number, owner and start), ended now with an outcome; times in milliseconds, as PostgreSQL keeps them. */
    JobRequestBuilder recordAttempt(Instant now, JobAttempt.Outcome outcome, String error) {
        Instant started = base.attemptStartedAt() == null ? null : base.attemptStartedAt().truncatedTo(ChronoUnit.MILLIS);
        history.add(new JobAttempt(base.attempts(), base.lockedBy(), started, now.truncatedTo(ChronoUnit.MILLIS), outcome,
                JobAttempt.shortError(error)));
        return this;
    }

    JobRequestBuilder status(JobStatus value) {
        status = value;
        return this;
    }

    JobRequestBuilder progress(int value) {
        progress = value;
        return this;
    }

    JobRequestBuilder resultMessage(String value) {
        resultMessage = value;
        return this;
    }

    JobRequestBuilder resultJson(String value) {
        resultJson = value;
        return this;
    }

    JobRequestBuilder lastError(String value) {
        lastError = value;
        return this;
    }

    JobRequestBuilder attempts(int value) {
        attempts = value;
        return this;
    }

    JobRequestBuilder runAt(Instant value) {
        runAt = value;
        return this;
    }

    JobRequestBuilder lockedBy(String value) {
        lockedBy = value;
        return this;
    }

    JobRequestBuilder lockedUntil(Instant value) {
        lockedUntil = value;
        return this;
    }

    JobRequestBuilder cancelRequested(boolean value) {
        cancelRequested = value;
        return this;
    }

    JobRequestBuilder handedOffAt(Instant value) {
        handedOffAt = value;
        return this;
    }

    JobRequestBuilder updatedAt(Instant value) {
        updatedAt = value;
        return this;
    }

    JobRequestBuilder startedAt(Instant value) {
        startedAt = value;
        return this;
    }

    JobRequestBuilder finishedAt(Instant value) {
        finishedAt = value;
        return this;
    }

    JobRequest build() {
        return new JobRequest(base.id(), base.jobType(), base.queueName(), base.payloadJson(), status, progress,
                resultMessage, resultJson, lastError, attempts, base.maxAttempts(), base.dedupKey(), runAt, lockedBy,
                lockedUntil, base.runner(), cancelRequested, handedOffAt, base.handOffTarget(), base.createdAt(), updatedAt, startedAt, finishedAt,
                attemptStartedAt, history);
    }
}
