package io.jobrunner;

import java.time.Duration;
import java.util.List;

/**
 * How one job type is run: whether it may be retried automatically, how often, how long to wait
 * between attempts, which errors retry, and how long one attempt may take. Declared by the handler
 * ({@link JobHandler#policy()}). Immutable and thread-safe.
 *
 * <p>Only a handler declared {@linkplain Builder#idempotent() idempotent} is retried
 * automatically, after a failure, a timeout, or a worker lost mid-run: running it twice must be
 * harmless. Any other handler gets one attempt; a failed request can still be retried by hand
 * ({@link JobRunner#retry(long)}).
 *
 * @param idempotent   running the job twice is harmless, so it may be retried automatically
 * @param maxAttempts  attempts allowed in all, 1 without retries
 * @param backoffBase  delay before the second attempt, doubled for each later one (with jitter:
 *                     each wait is between half and all of it), or {@code null} for the runner's
 *                     {@code JOB_RUNNER_RETRY_BASE_DELAY}
 * @param backoffMax   longest wait between attempts, or {@code null} for {@code JOB_RUNNER_RETRY_MAX_DELAY}
 * @param timeout      longest one attempt may run before it is interrupted and failed, or {@code null} for no limit
 * @param retryOn      errors that retry (and their subclasses); empty: every error
 * @param abortOn      errors that never retry, even when {@code retryOn} matches
 * @param priority     the claim order of the type's jobs that give none at dispatch, from
 *                     {@value JobData#MIN_PRIORITY} to {@value JobData#MAX_PRIORITY}, higher first; 0 by default
 * @param maxRunning   most of the type's jobs running at once across every process sharing the store;
 *                     0 for no limit
 * @param maxRunningPerKey most of the type's jobs with one {@linkplain JobData#concurrencyKey() concurrency
 *                     key} running at once (1: a mutex per key); 0 for no limit
 * @param rateLimit    most of the type's attempts started in any window of a period, fleet-wide; {@code null} for none
 * @param rateLimitPerKey most attempts with one concurrency key started in any window of a period; {@code null} for none
 * @param isolation    run each attempt in a child JVM of its own heap ({@link Builder#isolated(String)}); {@code null}: in
 *                     the worker's own JVM
 */
public record JobPolicy(boolean idempotent, int maxAttempts, Duration backoffBase, Duration backoffMax,
                        Duration timeout, List<Class<? extends Throwable>> retryOn,
                        List<Class<? extends Throwable>> abortOn, int priority, int maxRunning, int maxRunningPerKey,
                        RateLimit rateLimit, RateLimit rateLimitPerKey, Isolation isolation) {

    /** Attempts an idempotent job gets when its policy does not say. */
    public static final int DEFAULT_IDEMPOTENT_ATTEMPTS = 3;

    private static final JobPolicy DEFAULT = new JobPolicy(false, 1, null, null, null, List.of(), List.of(), 0, 0, 0,
            null, null, null);

    public JobPolicy {
        retryOn = List.copyOf(retryOn);
        abortOn = List.copyOf(abortOn);
        if (maxAttempts < 1 || maxAttempts > JobData.MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("Max attempts must be between 1 and " + JobData.MAX_ATTEMPTS_LIMIT
                    + ", got " + maxAttempts);
        }
        if (maxAttempts > 1 && !idempotent) {
            throw new IllegalArgumentException("A policy allowing " + maxAttempts + " attempts must be declared "
                    + "idempotent: only idempotent jobs are retried automatically. Call idempotent() on the policy "
                    + "if running the job twice is harmless, or keep one attempt");
        }
        if (backoffBase != null && backoffBase.isNegative()) {
            throw new IllegalArgumentException("Backoff base must not be negative, got " + backoffBase);
        }
        if (backoffBase != null && backoffMax != null && backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("Backoff max " + backoffMax + " is shorter than the base " + backoffBase
                    + "; give a max at least as long as the base");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("Timeout must be positive, got " + timeout
                    + "; leave it unset for no limit");
        }
        JobData.requirePriority(priority, "the policy's default priority");
        if (maxRunning < 0 || maxRunningPerKey < 0) {
            throw new IllegalArgumentException("A concurrency limit must be positive, or 0 for none; got maxRunning "
                    + maxRunning + ", maxRunningPerKey " + maxRunningPerKey);
        }
    }

    /** True when the type's jobs wait for a free place under a fleet-wide limit (of concurrency or of rate). */
    public boolean limited() {
        return maxRunning > 0 || maxRunningPerKey > 0 || rateLimit != null || rateLimitPerKey != null;
    }

    /** A policy without rate limits. */
    public JobPolicy(boolean idempotent, int maxAttempts, Duration backoffBase, Duration backoffMax, Duration timeout,
                     List<Class<? extends Throwable>> retryOn, List<Class<? extends Throwable>> abortOn, int priority,
                     int maxRunning, int maxRunningPerKey) {
        this(idempotent, maxAttempts, backoffBase, backoffMax, timeout, retryOn, abortOn, priority, maxRunning,
                maxRunningPerKey, null, null, null);
    }

    /**
     * Each attempt runs in a child JVM from a small pool, with a heap of its own: an
     * {@code OutOfMemoryError} or a crash there fails the attempt, not the worker.
     *
     * @param maxHeap the child's {@code -Xmx}, e.g. {@code "256m"} or {@code "2g"}
     */
    public record Isolation(String maxHeap) {

        /** The heap an isolated job gets unless its policy says. */
        public static final String DEFAULT_MAX_HEAP = "256m";

        public Isolation {
            if (maxHeap == null || !maxHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
                throw new IllegalArgumentException("An isolated job's heap must be a size as -Xmx takes it, e.g. 256m or"
                        + " 2g; got " + maxHeap);
            }
        }
    }

    /** A policy whose jobs have the default priority, 0. */
    public JobPolicy(boolean idempotent, int maxAttempts, Duration backoffBase, Duration backoffMax, Duration timeout,
                     List<Class<? extends Throwable>> retryOn, List<Class<? extends Throwable>> abortOn) {
        this(idempotent, maxAttempts, backoffBase, backoffMax, timeout, retryOn, abortOn, 0, 0, 0);
    }

    /** One attempt, no timeout: the policy of a handler that declares none. */
    public static JobPolicy defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when a failure with this error may be followed by another attempt (attempts permitting). */
    public boolean retries(Throwable error) {
        if (!idempotent || matches(abortOn, error)) {
            return false;
        }
        return retryOn.isEmpty() || matches(retryOn, error);
    }

    private static boolean matches(List<Class<? extends Throwable>> classes, Throwable error) {
        return classes.stream().anyMatch(type -> type.isInstance(error));
    }

    /** Collects the options of a {@link JobPolicy}; not thread-safe. */
    public static final class Builder {
        private boolean idempotent;
        private Integer maxAttempts;
        private Duration backoffBase;
        private Duration backoffMax;
        private Duration timeout;
        private final List<Class<? extends Throwable>> retryOn = new java.util.ArrayList<>();
        private final List<Class<? extends Throwable>> abortOn = new java.util.ArrayList<>();
        private int priority;
        private int maxRunning;
        private int maxRunningPerKey;
        private RateLimit rateLimit;
        private RateLimit rateLimitPerKey;
        private Isolation isolation;

        private Builder() {
        }

        /** Running the job twice is harmless: it is retried automatically, {@value #DEFAULT_IDEMPOTENT_ATTEMPTS} attempts unless set. */
        public Builder idempotent() {
            this.idempotent = true;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Exponential backoff: {@code base} before the second attempt, doubling, never above {@code max}. */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Retry only on these errors (and subclasses); by default every error retries. */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... errors) {
            retryOn.addAll(List.of(errors));
            return this;
        }

        /** Never retry on these errors (and subclasses). */
        @SafeVarargs
        public final Builder abortOn(Class<? extends Throwable>... errors) {
            abortOn.addAll(List.of(errors));
            return this;
        }

        /**
         * The priority of the type's jobs unless a dispatch gives one ({@link JobData.Builder#priority}):
         * from {@value JobData#MIN_PRIORITY} to {@value JobData#MAX_PRIORITY}, higher claimed first.
         */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * At most {@code jobs} of the type running at once, across every runner, worker and process
         * sharing the store: the rest stay queued and start as places free.
         */
        public Builder maxRunning(int jobs) {
            this.maxRunning = requirePositive(jobs, "maxRunning");
            return this;
        }

        /**
         * At most {@code jobs} of the type with one concurrency key ({@link JobData.Builder#concurrencyKey})
         * running at once, across the fleet: 1 makes each key a mutex (one account, one tenant at a time).
         */
        public Builder maxRunningPerKey(int jobs) {
            this.maxRunningPerKey = requirePositive(jobs, "maxRunningPerKey");
            return this;
        }

        /**
         * At most {@code starts} of the type's attempts started in any window of {@code per}, across every
         * runner, worker and process sharing the store (e.g. 100 per minute to an external API): the rest
         * stay queued and start as the window moves on.
         */
        public Builder rateLimit(int starts, Duration per) {
            this.rateLimit = new RateLimit(starts, per);
            return this;
        }

        /** {@link #rateLimit} for each concurrency key ({@link JobData.Builder#concurrencyKey}) on its own. */
        public Builder rateLimitPerKey(int starts, Duration per) {
            this.rateLimitPerKey = new RateLimit(starts, per);
            return this;
        }

        /**
         * Runs each attempt in a child JVM from a small pool (heap {@value Isolation#DEFAULT_MAX_HEAP}): its
         * memory is its own, and an {@code OutOfMemoryError} or a crash fails that attempt, not the worker;
         * a timeout or a cancellation ends the child. The handler needs a public no-argument constructor
         * (the child creates its own), and what it returns and throws crosses as JSON and as text.
         */
        public Builder isolated() {
            return isolated(Isolation.DEFAULT_MAX_HEAP);
        }

        /** {@link #isolated()} with the child's heap, as {@code -Xmx} takes it: {@code "512m"}, {@code "2g"}. */
        public Builder isolated(String maxHeap) {
            this.isolation = new Isolation(maxHeap);
            return this;
        }

        private static int requirePositive(int jobs, String what) {
            if (jobs < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, got " + jobs + "; leave it unset for no limit");
            }
            return jobs;
        }

        public JobPolicy build() {
            int attempts = maxAttempts != null ? maxAttempts : idempotent ? DEFAULT_IDEMPOTENT_ATTEMPTS : 1;
            return new JobPolicy(idempotent, attempts, backoffBase, backoffMax, timeout, retryOn, abortOn, priority,
                    maxRunning, maxRunningPerKey, rateLimit, rateLimitPerKey, isolation);
        }
    }
}
