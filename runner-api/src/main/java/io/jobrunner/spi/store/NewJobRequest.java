package io.jobrunner.spi.store;

import java.time.Instant;
import java.util.List;

/**
 * A request about to be stored: what {@link JobRequestStore#insert} takes. Immutable.
 *
 * @param runAt         {@code null} for now
 * @param handOffTarget where the runner hands it off (a queue URL, a function name), or {@code null}
 * @param handedOff     true when the caller hands it off right after the insert (stored as handed off now)
 * @param wakesWorkers  true when workers listening to the store claim it: a store that can notify them
 *                      does so as it stores it ({@link JobRequestStore#watchQueued})
 * @param traceParent   the dispatcher's trace context as a W3C {@code traceparent} value, stored so the
 *                      run continues the trace; {@code null} when nothing traces
 * @param priority      claim order, higher first ({@link io.jobrunner.JobData#priority()})
 * @param concurrencyKey the key its type's per-key limit counts by, or {@code null}
 * @param workflow      what it runs after and the batch it belongs to ({@link Workflow#NONE}: neither)
 */
public record NewJobRequest(String jobType, String queueName, String payloadJson, String dedupKey, Instant runAt,
                            int maxAttempts, String runner, String handOffTarget, boolean handedOff,
                            boolean wakesWorkers, String traceParent, int priority, String concurrencyKey,
                            Workflow workflow) {

    /** A request with no hand-off: run by the process that stores it, or claimed from the store. */
    public NewJobRequest(String jobType, String queueName, String payloadJson, String dedupKey, Instant runAt,
                         int maxAttempts, String runner) {
        this(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, null, false, false, null, 0, null,
                Workflow.NONE);
    }

    /** A request handed off to {@code handOffTarget} (stored as handed off now when {@code handedOff}), waking no one. */
    public NewJobRequest(String jobType, String queueName, String payloadJson, String dedupKey, Instant runAt,
                         int maxAttempts, String runner, String handOffTarget, boolean handedOff) {
        this(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget, handedOff, false, null, 0,
                null, Workflow.NONE);
    }

    /** This request, to be handed off to {@code target}; stored as handed off at insert when {@code handedOff}. */
    public NewJobRequest withHandOff(String target, boolean handedOff) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, target, handedOff,
                wakesWorkers, traceParent, priority, concurrencyKey, workflow);
    }

    /** This request, for workers that listen to the store: storing it wakes them. */
    public NewJobRequest forWorkers() {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget,
                handedOff, true, traceParent, priority, concurrencyKey, workflow);
    }

    /** This request, carrying the dispatcher's trace context ({@code null} for none). */
    public NewJobRequest withTraceParent(String traceParent) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget,
                handedOff, wakesWorkers, traceParent, priority, concurrencyKey, workflow);
    }

    /** This request, counted under {@code key} by its type's per-key limit ({@code null}: none). */
    public NewJobRequest withConcurrencyKey(String key) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget,
                handedOff, wakesWorkers, traceParent, priority, key, workflow);
    }

    /** This request with a claim order ({@code 0}: the default). */
    public NewJobRequest withPriority(int priority) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget,
                handedOff, wakesWorkers, traceParent, priority, concurrencyKey, workflow);
    }

    /** This request, run after other jobs or in a batch, as {@code workflow} says. */
    public NewJobRequest withWorkflow(Workflow workflow) {
        return new NewJobRequest(jobType, queueName, payloadJson, dedupKey, runAt, maxAttempts, runner, handOffTarget,
                handedOff, wakesWorkers, traceParent, priority, concurrencyKey, workflow);
    }

    /** True when it runs after other jobs: stored waiting until they finished, and not handed off before. */
    public boolean hasDependencies() {
        return !workflow.after().isEmpty() || !workflow.afterRows().isEmpty();
    }

    /**
     * Where a request stands among the others of its dispatch. Immutable.
     *
     * @param after       ids of stored jobs it runs after
     * @param afterRows   positions, in the same {@link JobRequestStore#insertGraph} call, of earlier rows it runs after
     * @param runWhen     when it runs once they finished ({@code null} without dependencies)
     * @param batchMember true for a member of the batch the {@link JobRequestStore#insertGraph} call makes
     */
    public record Workflow(List<Long> after, List<Integer> afterRows, io.jobrunner.RunWhen runWhen, boolean batchMember) {

        /** No dependencies, no batch. */
        public static final Workflow NONE = new Workflow(List.of(), List.of(), null, false);

        public Workflow {
            after = after == null ? List.of() : List.copyOf(after);
            afterRows = afterRows == null ? List.of() : List.copyOf(afterRows);
            if (runWhen == null && (!after.isEmpty() || !afterRows.isEmpty())) {
                runWhen = io.jobrunner.RunWhen.ALL_SUCCEEDED;
            }
        }
    }

    public NewJobRequest {
        workflow = workflow == null ? Workflow.NONE : workflow;
        if (jobType == null || jobType.isBlank()) {
            throw new IllegalArgumentException("Job type must not be blank");
        }
        if (payloadJson == null) {
            throw new IllegalArgumentException("Payload JSON must not be null; use \"null\" for no payload (job type: "
                    + jobType + ")");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("Max attempts must be at least 1, got " + maxAttempts
                    + " (job type: " + jobType + ")");
        }
    }
}
