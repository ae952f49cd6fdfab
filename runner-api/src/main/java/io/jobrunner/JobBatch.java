package io.jobrunner;

import java.util.ArrayList;
import java.util.List;

/**
 * Many jobs dispatched as one batch ({@link JobRunner#dispatchBatch(JobBatch)}), in one transaction,
 * with callback jobs that run once every member finished: {@link #onComplete} whatever the outcomes,
 * {@link #onSuccess} when all succeeded, {@link #onFailure} when at least one failed or was cancelled.
 * Each callback runs exactly once (it is a job that depends on every member: the finish of the last
 * member queues it, in the store, once). The batch's progress is {@link JobRequests#batch(long)}.
 *
 * <pre>{@code
 * JobBatch.Dispatched batch = runner.dispatchBatch(JobBatch.of(invoices)
 *         .onComplete(JobData.of("send-report", month)));
 * runner.jobs().batch(batch.id());   // done / failed / total
 * }</pre>
 *
 * Not thread-safe while built.
 */
public final class JobBatch {

    /** Most members one batch may have. */
    public static final int MAX_MEMBERS = 100_000;

    private final List<JobData> members;
    private final List<Callback> callbacks = new ArrayList<>();

    private JobBatch(List<JobData> members) {
        this.members = members;
    }

    /**
     * A batch of these jobs (they may not depend on other jobs themselves).
     *
     * @throws IllegalArgumentException for no members, more than {@value #MAX_MEMBERS}, or a member with dependencies
     */
    public static JobBatch of(List<JobData> members) {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("A batch needs at least one member job");
        }
        if (members.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("A batch may have at most " + MAX_MEMBERS + " members, got "
                    + members.size() + "; dispatch several batches");
        }
        for (JobData member : members) {
            if (member == null) {
                throw new IllegalArgumentException("A batch member must not be null");
            }
            if (!member.after().isEmpty()) {
                throw new IllegalArgumentException("A batch member cannot depend on other jobs (job type: "
                        + member.jobType() + ", after " + member.after() + "): use a JobGraph for dependencies");
            }
        }
        return new JobBatch(List.copyOf(members));
    }

    /** Runs {@code callback} once every member finished, whatever their outcomes. */
    public JobBatch onComplete(JobData callback) {
        return callback(callback, RunWhen.ALL_FINISHED);
    }

    /** Runs {@code callback} once every member succeeded; it is cancelled when one fails for good. */
    public JobBatch onSuccess(JobData callback) {
        return callback(callback, RunWhen.ALL_SUCCEEDED);
    }

    /** Runs {@code callback} once every member finished, when at least one failed or was cancelled. */
    public JobBatch onFailure(JobData callback) {
        return callback(callback, RunWhen.ANY_FAILED);
    }

    private JobBatch callback(JobData callback, RunWhen when) {
        if (callback == null) {
            throw new IllegalArgumentException("A batch callback needs its JobData, got null");
        }
        if (!callback.after().isEmpty()) {
            throw new IllegalArgumentException("A batch callback runs after the batch's members and no other jobs "
                    + "(job type: " + callback.jobType() + ", after " + callback.after() + ")");
        }
        callbacks.add(new Callback(callback, when));
        return this;
    }

    public List<JobData> members() {
        return members;
    }

    /** The callbacks in the order they were given. */
    public List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** A callback job and when it runs. Immutable. */
    public record Callback(JobData job, RunWhen when) {
    }

    /**
     * A dispatched batch. Immutable.
     *
     * @param id        the batch's id, for {@link JobRequests#batch(long)}
     * @param members   the members as stored, in the order given
     * @param callbacks the callbacks as stored (waiting), in the order given
     */
    public record Dispatched(long id, List<JobRequest> members, List<JobRequest> callbacks) {
        public Dispatched {
            members = List.copyOf(members);
            callbacks = List.copyOf(callbacks);
        }
    }
}
