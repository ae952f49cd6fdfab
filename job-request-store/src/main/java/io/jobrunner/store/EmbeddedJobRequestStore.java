package io.jobrunner.store;

import io.jobrunner.ClaimFilter;
import io.jobrunner.InsertResult;
import io.jobrunner.JobAttempt;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobStatus;
import io.jobrunner.Lease;
import io.jobrunner.NewJobRequest;
import io.jobrunner.ScheduleFiring;
import io.jobrunner.ScheduledJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link JobRequestStore} inside this process: in memory, optionally kept in a journal file so it
 * survives restarts. Needs nothing installed; made for laptops, demos and tests. One process at a
 * time may open a journal (a file lock enforces it); to share jobs between processes use PostgreSQL.
 * Thread-safe: every operation holds the store's lock.
 */
public final class EmbeddedJobRequestStore implements JobRequestStore {

    private static final Comparator<JobRequest> RUN_AT_ORDER =
            Comparator.comparing(JobRequest::runAt).thenComparingLong(JobRequest::id);

    private final Map<Long, JobRequest> rows = new TreeMap<>();
    private final Map<String, Long> idsByDedupKey = new HashMap<>();
    private final Map<String, ScheduledJob> schedules = new TreeMap<>();
    private final StoreJournal journal;
    private final Clock clock;
    private long lastId;

    private EmbeddedJobRequestStore(StoreJournal journal, Clock clock) {
        this.journal = journal;
        this.clock = clock;
        if (journal != null) {
            StoreJournal.Contents contents = journal.replay();
            for (JobRequest row : contents.rows()) {
                put(row);
                lastId = Math.max(lastId, row.id());
            }
            contents.schedules().forEach(schedule -> schedules.put(schedule.name(), schedule));
            journal.compact(rows.values(), schedules.values());
        }
    }

    /** A store that lives only as long as this object: for tests. */
    public static EmbeddedJobRequestStore inMemory() {
        return new EmbeddedJobRequestStore(null, Clock.systemUTC());
    }

    /**
     * A store kept in {@code directory/job-requests.jsonl}, created if absent.
     *
     * @throws io.jobrunner.JobStoreException when another process holds the directory, or it cannot be written
     */
    public static EmbeddedJobRequestStore openDirectory(Path directory) {
        return new EmbeddedJobRequestStore(StoreJournal.open(directory), Clock.systemUTC());
    }

    @Override
    public synchronized InsertResult insert(NewJobRequest request) {
        if (request.dedupKey() != null) {
            Long existing = idsByDedupKey.get(request.dedupKey());
            if (existing != null) {
                Optional<JobRequest> requeued = retry(existing);
                return requeued.isPresent()
                        ? new InsertResult(requeued.get(), InsertResult.Outcome.REQUEUED)
                        : new InsertResult(rows.get(existing), InsertResult.Outcome.EXISTING);
            }
        }
        Instant now = clock.instant();
        JobRequest row = new JobRequest(++lastId, request.jobType(), request.queueName(), request.payloadJson(),
                JobStatus.QUEUED, 0, null, null, null, 0, request.maxAttempts(), request.dedupKey(),
                request.runAt() == null ? now : request.runAt(), null, null, request.runner(), false,
                request.handedOff() ? now : null, request.handOffTarget(), now, now, null, null, null, List.of());
        save(row);
        return new InsertResult(row, InsertResult.Outcome.CREATED);
    }

    @Override
    public synchronized Optional<JobRequest> retry(long id) {
        JobRequest row = rows.get(id);
        if (row == null || (row.status() != JobStatus.FAILED && row.status() != JobStatus.CANCELLED)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        JobRequest requeued = new JobRequest(row.id(), row.jobType(), row.queueName(), row.payloadJson(), JobStatus.QUEUED,
                0, row.resultMessage(), row.resultJson(), row.lastError(), row.attempts(), row.attempts() + row.maxAttempts(),
                row.dedupKey(), now, null, null, row.runner(), false, null, row.handOffTarget(), row.createdAt(), now,
                row.startedAt(), null, row.attemptStartedAt(), row.history());
        save(requeued);
        return Optional.of(requeued);
    }

    @Override
    public synchronized Optional<JobRequest> find(long id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized Optional<JobRequest> findByDedupKey(String dedupKey) {
        return Optional.ofNullable(idsByDedupKey.get(dedupKey)).map(rows::get);
    }

    @Override
    public synchronized List<JobRequest> list(JobQuery query) {
        List<JobRequest> page = new ArrayList<>();
        for (JobRequest row : ((TreeMap<Long, JobRequest>) rows).tailMap(query.afterId(), false).values()) {
            if (query.matches(row)) {
                page.add(row);
                if (page.size() == query.limit()) {
                    break;
                }
            }
        }
        return page;
    }

    @Override
    public synchronized Optional<JobRequest> claim(long id, String owner, Duration leaseTime) {
        JobRequest row = rows.get(id);
        Instant now = clock.instant();
        if (row == null || !claimable(row, now)) {
            return Optional.empty();
        }
        return Optional.of(claimRow(row, owner, leaseTime, now));
    }

    @Override
    public synchronized List<JobRequest> claimNext(ClaimFilter filter, String owner, Duration leaseTime, int limit) {
        Instant now = clock.instant();
        List<JobRequest> candidates = rows.values().stream()
                .filter(row -> claimable(row, now) && filter.matches(row))
                .sorted(RUN_AT_ORDER)
                .limit(limit)
                .toList();
        List<JobRequest> claimed = new ArrayList<>(candidates.size());
        for (JobRequest row : candidates) {
            claimed.add(claimRow(row, owner, leaseTime, now));
        }
        return claimed;
    }

    @Override
    public synchronized Optional<JobRequest> heartbeat(Lease lease, Duration leaseTime) {
        return leased(lease, (row, now) -> copy(row).lockedUntil(now.plus(leaseTime)).updatedAt(now).build());
    }

    @Override
    public synchronized Optional<JobRequest> progress(Lease lease, int percent, String message) {
        return leased(lease, (row, now) -> copy(row).progress(percent).resultMessage(message).updatedAt(now).build());
    }

    @Override
    public synchronized Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        return leased(lease, (row, now) -> finished(row, JobStatus.SUCCEEDED, now)
                .recordAttempt(now, JobAttempt.Outcome.SUCCEEDED, null).progress(100).resultJson(resultJson)
                .resultMessage(message != null ? message : row.resultMessage()).build());
    }

    @Override
    public synchronized Optional<JobRequest> fail(Lease lease, JobAttempt.Outcome outcome, String error) {
        return leased(lease, (row, now) -> finished(row, JobStatus.FAILED, now).recordAttempt(now, outcome, error)
                .lastError(error).build());
    }

    @Override
    public synchronized Optional<JobRequest> requeue(Lease lease, Instant runAt, JobAttempt.Outcome outcome,
                                                     String error) {
        return leased(lease, (row, now) -> copy(row).recordAttempt(now, outcome, error).status(JobStatus.QUEUED)
                .lastError(error).runAt(runAt)
                .lockedBy(null).lockedUntil(null).updatedAt(now).build());
    }

    @Override
    public synchronized Optional<JobRequest> release(Lease lease) {
        return leased(lease, (row, now) -> copy(row).status(JobStatus.QUEUED).attempts(row.attempts() - 1).runAt(now)
                .lockedBy(null).lockedUntil(null).updatedAt(now).build());
    }

    @Override
    public synchronized Optional<JobRequest> markCancelled(Lease lease, String message) {
        return leased(lease, (row, now) -> finished(row, JobStatus.CANCELLED, now)
                .recordAttempt(now, JobAttempt.Outcome.CANCELLED, null).resultMessage(message).build());
    }

    @Override
    public synchronized Optional<JobRequest> cancel(long id) {
        JobRequest row = rows.get(id);
        if (row == null || row.status().isFinished()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        JobRequestBuilder changed = row.status() == JobStatus.QUEUED
                ? copy(row).status(JobStatus.CANCELLED).finishedAt(now)
                : copy(row);
        JobRequest updated = changed.cancelRequested(true).updatedAt(now).build();
        save(updated);
        return Optional.of(updated);
    }

    @Override
    public synchronized void markHandedOff(Collection<Long> ids) {
        Instant now = clock.instant();
        for (Long id : ids) {
            JobRequest row = rows.get(id);
            if (row != null && row.handedOffAt() == null) {
                save(copy(row).handedOffAt(now).updatedAt(now).build());
            }
        }
    }

    @Override
    public synchronized void clearHandOff(long id) {
        JobRequest row = rows.get(id);
        if (row != null && row.status() == JobStatus.QUEUED) {
            save(copy(row).handedOffAt(null).updatedAt(clock.instant()).build());
        }
    }

    @Override
    public synchronized List<JobRequest> claimHandOffs(String runner, String target, Instant dueBefore,
                                                       Duration staleAfter, int limit) {
        Instant now = clock.instant();
        Instant staleBefore = now.minus(staleAfter);
        List<JobRequest> due = rows.values().stream()
                .filter(row -> row.status() == JobStatus.QUEUED && runner.equals(row.runner())
                        && Objects.equals(target, row.handOffTarget())
                        && !row.runAt().isAfter(dueBefore)
                        && (row.handedOffAt() == null
                            || (row.handedOffAt().isBefore(staleBefore) && row.runAt().isBefore(staleBefore))))
                .sorted(RUN_AT_ORDER)
                .limit(limit)
                .toList();
        List<JobRequest> claimed = new ArrayList<>(due.size());
        for (JobRequest row : due) {
            JobRequest marked = copy(row).handedOffAt(now).updatedAt(now).build();
            save(marked);
            claimed.add(marked);
        }
        return claimed;
    }

    @Override
    public synchronized List<JobRequest> requeueAbandoned(String runner, String target) {
        Instant now = clock.instant();
        List<JobRequest> requeued = new ArrayList<>();
        for (JobRequest row : List.copyOf(rows.values())) {
            if (row.status() == JobStatus.RUNNING && row.lockedUntil().isBefore(now) && row.hasAttemptsLeft()
                    && runner.equals(row.runner()) && Objects.equals(target, row.handOffTarget())) {
                JobRequest updated = copy(row).status(JobStatus.QUEUED).runAt(now).handedOffAt(null)
                        .lastError("Abandoned: the lease of attempt " + row.attempts() + " held by " + row.lockedBy()
                                + " expired; the worker died, stopped or timed out mid-run")
                        .lockedBy(null).lockedUntil(null).updatedAt(now).build();
                save(updated);
                requeued.add(updated);
            }
        }
        return requeued;
    }

    @Override
    public synchronized List<JobRequest> failAbandoned() {
        Instant now = clock.instant();
        List<JobRequest> failed = new ArrayList<>();
        for (JobRequest row : List.copyOf(rows.values())) {
            if (row.status() == JobStatus.RUNNING && row.lockedUntil().isBefore(now) && !row.hasAttemptsLeft()) {
                JobRequest updated = abandoned(row, now).status(JobStatus.FAILED).lockedUntil(null).finishedAt(now).build();
                save(updated);
                failed.add(updated);
            }
        }
        return failed;
    }

    @Override
    public synchronized int purgeFinished(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        List<Long> purged = new ArrayList<>();
        for (JobRequest row : rows.values()) {
            if (row.status().isFinished() && row.finishedAt() != null && row.finishedAt().isBefore(cutoff)) {
                purged.add(row.id());
            }
        }
        for (Long id : purged) {
            JobRequest removed = rows.remove(id);
            if (removed.dedupKey() != null) {
                idsByDedupKey.remove(removed.dedupKey());
            }
        }
        if (journal != null && !purged.isEmpty()) {
            journal.appendPurge(purged);
        }
        return purged.size();
    }

    @Override
    public synchronized ScheduledJob saveSchedule(ScheduledJob schedule) {
        ScheduledJob existing = schedules.get(schedule.name());
        ScheduledJob saved = existing != null && existing.sameTiming(schedule)
                ? schedule.advancedTo(existing.nextRunAt(), existing.lastOccurrence(), existing.lastJobId())
                : schedule;
        putSchedule(saved);
        return saved;
    }

    @Override
    public synchronized Optional<ScheduledJob> findSchedule(String name) {
        return Optional.ofNullable(schedules.get(name));
    }

    @Override
    public synchronized List<ScheduledJob> listSchedules() {
        return List.copyOf(schedules.values());
    }

    @Override
    public synchronized List<ScheduledJob> dueSchedules(Instant now) {
        return schedules.values().stream().filter(schedule -> !schedule.nextRunAt().isAfter(now))
                .sorted(Comparator.comparing(ScheduledJob::nextRunAt)).toList();
    }

    @Override
    public synchronized boolean deleteSchedule(String name) {
        if (schedules.remove(name) == null) {
            return false;
        }
        if (journal != null) {
            journal.appendScheduleRemoved(name);
        }
        return true;
    }

    @Override
    public synchronized ScheduleFiring fireSchedule(String name, Instant due, Instant next, Instant occurrence,
                                                    NewJobRequest request) {
        ScheduledJob current = schedules.get(name);
        if (current == null || !current.nextRunAt().equals(due)) {
            return new ScheduleFiring(ScheduleFiring.Outcome.TAKEN, null);
        }
        ScheduleFiring firing;
        if (request == null) {
            firing = new ScheduleFiring(ScheduleFiring.Outcome.SKIPPED, null);
        } else if (!current.allowOverlap() && current.lastJobId() != null && Optional.ofNullable(rows.get(current.lastJobId()))
                .filter(last -> !last.status().isFinished()).isPresent()) {
            firing = new ScheduleFiring(ScheduleFiring.Outcome.SKIPPED_OVERLAP, null);
        } else if (request.dedupKey() != null && idsByDedupKey.containsKey(request.dedupKey())) {
            firing = new ScheduleFiring(ScheduleFiring.Outcome.TAKEN, null);
        } else {
            firing = new ScheduleFiring(ScheduleFiring.Outcome.FIRED, insert(request).request());
        }
        putSchedule(current.advancedTo(next, occurrence, firing.request() == null ? null : firing.request().id()));
        return firing;
    }

    private void putSchedule(ScheduledJob schedule) {
        schedules.put(schedule.name(), schedule);
        if (journal != null) {
            journal.appendSchedule(schedule);
        }
    }

    @Override
    public synchronized void close() {
        if (journal != null) {
            journal.close();
        }
    }

    private static boolean claimable(JobRequest row, Instant now) {
        return (row.status() == JobStatus.QUEUED && !row.runAt().isAfter(now))
                || (row.status() == JobStatus.RUNNING && row.lockedUntil().isBefore(now) && row.hasAttemptsLeft());
    }

    /** The attempt whose lease expired, recorded as abandoned. */
    private static JobRequestBuilder abandoned(JobRequest row, Instant now) {
        String error = "Abandoned: the lease of attempt " + row.attempts() + " of " + row.maxAttempts() + " held by "
                + row.lockedBy() + " expired; the worker died, stopped or timed out mid-run";
        return copy(row).recordAttempt(now, JobAttempt.Outcome.ABANDONED, error).lastError(error).updatedAt(now);
    }

    private JobRequest claimRow(JobRequest row, String owner, Duration leaseTime, Instant now) {
        JobRequestBuilder taken = row.status() == JobStatus.RUNNING ? abandoned(row, now) : copy(row);
        JobRequest claimed = taken.status(JobStatus.RUNNING).attemptStartedAt(now).attempts(row.attempts() + 1).lockedBy(owner)
                .lockedUntil(now.plus(leaseTime)).startedAt(row.startedAt() == null ? now : row.startedAt())
                .updatedAt(now).build();
        save(claimed);
        return claimed;
    }

    private Optional<JobRequest> leased(Lease lease, Transition transition) {
        JobRequest row = rows.get(lease.jobId());
        if (row == null || row.status() != JobStatus.RUNNING || !lease.owner().equals(row.lockedBy())
                || row.attempts() != lease.attempt()) {
            return Optional.empty();
        }
        JobRequest updated = transition.apply(row, clock.instant());
        save(updated);
        return Optional.of(updated);
    }

    private static JobRequestBuilder finished(JobRequest row, JobStatus status, Instant now) {
        return copy(row).status(status).lockedUntil(null).finishedAt(now).updatedAt(now);
    }

    private static JobRequestBuilder copy(JobRequest row) {
        return new JobRequestBuilder(row);
    }

    private void save(JobRequest row) {
        if (journal != null) {
            journal.append(row);
        }
        put(row);
    }

    private void put(JobRequest row) {
        rows.put(row.id(), row);
        if (row.dedupKey() != null) {
            idsByDedupKey.put(row.dedupKey(), row.id());
        }
    }

    @FunctionalInterface
    private interface Transition {
        JobRequest apply(JobRequest row, Instant now);
    }
}
