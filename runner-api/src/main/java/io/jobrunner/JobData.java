package io.jobrunner;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What to run as a tracked job: the input of {@link JobRunner#dispatchJob(JobData)}.
 *
 * <p>Build it with {@link #of(String, Object)} or {@link #builder(String)}. Immutable and
 * thread-safe, provided the payload is not changed after dispatch.
 *
 * @param jobType     name of the {@link JobHandler} that runs it
 * @param payload     any value Jackson can serialize, or {@code null}
 * @param queueName   optional queue name ({@code null}: the default queue)
 * @param dedupKey    optional key: dispatching again with a stored key returns the stored request
 * @param runAt       optional earliest start ({@code null}: now)
 * @param maxAttempts optional attempts allowed in all ({@code null}: the runner's default)
 * @param dedupByPayload derive the dedup key from the job type and a stable serialization of the
 *                       payload (object keys sorted), so equal work is stored once; not with a dedup key
 * @param priority    optional claim order from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY}, higher
 *                    first ({@code null}: the type's {@link JobPolicy#priority()}, 0 unless set)
 * @param concurrencyKey optional key (an account, a tenant) that the type's
 *                    {@link JobPolicy#maxRunningPerKey()} limits: at most that many jobs of the type with
 *                    one key run at once, across the fleet; {@code null} for none
 * @param after       ids of stored jobs this one depends on (empty for none): it waits
 *                    ({@link JobStatus#WAITING}) until they finished, then runs as {@code runWhen} says
 * @param runWhen     when it runs once its dependencies (stored ones, or steps of its {@link JobGraph})
 *                    finished; {@link RunWhen#ALL_SUCCEEDED} unless set; without dependencies it has no effect
 */
public record JobData(String jobType, Object payload, String queueName, String dedupKey, Instant runAt,
                      Integer maxAttempts, boolean dedupByPayload, Integer priority, String concurrencyKey,
                      List<Long> after, RunWhen runWhen) {

    /** Longest dedup key accepted. */
    public static final int MAX_DEDUP_KEY_LENGTH = 512;
    /** Most attempts one request may be given. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;
    /** Lowest priority: claimed after every other due job of its queue. */
    public static final int MIN_PRIORITY = -100;
    /** Highest priority: claimed before every other due job of its queue. */
    public static final int MAX_PRIORITY = 100;

    public JobData {
        if (jobType == null || jobType.isBlank()) {
            throw new IllegalArgumentException("Job type must not be blank: give the name of a registered JobHandler");
        }
        if (queueName != null && queueName.isBlank()) {
            throw new IllegalArgumentException("Queue name must not be blank (job type: " + jobType
                    + "): pass null for the default queue");
        }
        if (dedupKey != null && (dedupKey.isEmpty() || dedupKey.length() > MAX_DEDUP_KEY_LENGTH)) {
            throw new IllegalArgumentException("Dedup key must have 1 to " + MAX_DEDUP_KEY_LENGTH
                    + " characters, got " + dedupKey.length() + " (job type: " + jobType + ")");
        }
        if (dedupByPayload && dedupKey != null) {
            throw new IllegalArgumentException("Give a dedup key or ask for one derived from the payload, not both "
                    + "(job type: " + jobType + ", dedup key: " + dedupKey + ")");
        }
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)) {
            throw new IllegalArgumentException("Max attempts must be between 1 and " + MAX_ATTEMPTS_LIMIT
                    + ", got " + maxAttempts + " (job type: " + jobType + ")");
        }
        if (priority != null) {
            requirePriority(priority, "job type: " + jobType);
        }
        if (concurrencyKey != null && (concurrencyKey.isEmpty() || concurrencyKey.length() > MAX_DEDUP_KEY_LENGTH)) {
            throw new IllegalArgumentException("Concurrency key must have 1 to " + MAX_DEDUP_KEY_LENGTH
                    + " characters, got " + concurrencyKey.length() + " (job type: " + jobType + ")");
        }
        after = dependencies(after, jobType);
        runWhen = runWhen == null && !after.isEmpty() ? RunWhen.ALL_SUCCEEDED : runWhen;
    }

    /** A job without a priority of its own: its type's. */
    public JobData(String jobType, Object payload, String queueName, String dedupKey, Instant runAt,
                   Integer maxAttempts, boolean dedupByPayload) {
        this(jobType, payload, queueName, dedupKey, runAt, maxAttempts, dedupByPayload, null, null, List.of(), null);
    }

    /** A job without dependencies. */
    public JobData(String jobType, Object payload, String queueName, String dedupKey, Instant runAt,
                   Integer maxAttempts, boolean dedupByPayload, Integer priority, String concurrencyKey) {
        this(jobType, payload, queueName, dedupKey, runAt, maxAttempts, dedupByPayload, priority, concurrencyKey,
                List.of(), null);
    }

    /** Most jobs one job may depend on directly (a batch's callbacks depend on its members, without this limit). */
    public static final int MAX_DEPENDENCIES = 1000;

    private static List<Long> dependencies(List<Long> ids, String jobType) {
        if (ids == null || ids.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<Long> distinct = new LinkedHashSet<>();
        for (Long id : ids) {
            if (id == null || id < 1) {
                throw new IllegalArgumentException("A dependency must be the id of a stored job request, got " + id
                        + " (job type: " + jobType + ")");
            }
            distinct.add(id);
        }
        if (distinct.size() > MAX_DEPENDENCIES) {
            throw new IllegalArgumentException("A job may depend on at most " + MAX_DEPENDENCIES + " jobs, got "
                    + distinct.size() + " (job type: " + jobType + "); dispatch the jobs as a JobBatch and run this one"
                    + " as its callback");
        }
        return List.copyOf(distinct);
    }

    static void requirePriority(int priority, String of) {
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("Priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY
                    + " (higher is claimed first), got " + priority + " (" + of + ")");
        }
    }

    /** A job of the given type with a payload and every option at its default. */
    public static JobData of(String jobType, Object payload) {
        return new JobData(jobType, payload, null, null, null, null, false, null, null, List.of(), null);
    }

    /** A builder for a job of the given type. */
    public static Builder builder(String jobType) {
        return new Builder(jobType);
    }

    /** Collects the options of a {@link JobData}; not thread-safe. */
    public static final class Builder {
        private final String jobType;
        private Object payload;
        private String queueName;
        private String dedupKey;
        private Instant runAt;
        private Integer maxAttempts;
        private boolean dedupByPayload;
        private Integer priority;
        private String concurrencyKey;
        private final List<Long> after = new ArrayList<>();
        private RunWhen runWhen;

        private Builder(String jobType) {
            this.jobType = jobType;
        }

        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        public Builder queue(String queueName) {
            this.queueName = queueName;
            return this;
        }

        public Builder dedupKey(String dedupKey) {
            this.dedupKey = dedupKey;
            return this;
        }

        public Builder runAt(Instant runAt) {
            this.runAt = runAt;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Derives the dedup key from the job type and the payload: dispatching equal work again returns the stored request. */
        public Builder dedupByPayload() {
            this.dedupByPayload = true;
            return this;
        }

        /**
         * Claimed before due jobs of lower priority in its queue, after those of higher: from
         * {@value JobData#MIN_PRIORITY} to {@value JobData#MAX_PRIORITY}; unset, the type's policy decides.
         */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * The key its type's {@link JobPolicy.Builder#maxRunningPerKey} counts by, e.g. an account id:
         * at most that many jobs of the type with this key run at once, on every runner and process.
         */
        public Builder concurrencyKey(String key) {
            this.concurrencyKey = key;
            return this;
        }

        /**
         * Runs after the stored jobs with these ids: it waits ({@link JobStatus#WAITING}) until every one
         * finished, then is queued, or cancelled when one failed ({@link #runWhen} changes that). For a
         * graph of new jobs dispatched together, use {@link JobGraph}.
         */
        public Builder after(long... ids) {
            for (long id : ids) {
                after.add(id);
            }
            return this;
        }

        /** {@link #after(long...)} the given stored jobs. */
        public Builder after(Collection<JobRequest> requests) {
            for (JobRequest request : requests) {
                after.add(request.id());
            }
            return this;
        }

        /** When it runs once its dependencies finished; {@link RunWhen#ALL_SUCCEEDED} unless set. */
        public Builder runWhen(RunWhen runWhen) {
            this.runWhen = runWhen;
            return this;
        }

        public JobData build() {
            return new JobData(jobType, payload, queueName, dedupKey, runAt, maxAttempts, dedupByPayload, priority,
                    concurrencyKey, after, runWhen);
        }
    }
}
