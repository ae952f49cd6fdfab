package io.jobrunner.spi;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobBatch;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobHandler;
import io.jobrunner.JobLimit;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadCodec;
import io.jobrunner.PayloadTooLargeException;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.Setting;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.InsertedGraph;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.StoreDiscovery;
import io.jobrunner.spi.store.StoreScope;
import io.jobrunner.spi.store.StoredJobRequests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Everything a {@link JobRunnerProvider} builds a runner from: settings, handlers, codec and store,
 * plus the dispatch checks every runner applies the same way. Thread-safe.
 */
public final class RunnerContext implements AutoCloseable {

    private final JobRunnerConfig config;
    private final Settings settings;
    private final HandlerRegistry handlers;
    private final PayloadCodec codec;
    private final JobRequestStore store;
    private final boolean ownsStore;

    /**
     * @param store     the store, or {@code null} when none is available (job dispatch then fails clearly)
     * @param ownsStore whether {@link #close()} closes the store
     */
    public RunnerContext(JobRunnerConfig config, JobRequestStore store, boolean ownsStore) {
        this.config = config;
        this.settings = config.settings();
        this.handlers = config.handlers();
        this.codec = config.codec();
        this.store = store;
        this.ownsStore = ownsStore;
        if (store != null && !handlers.jobTypes().isEmpty()) {
            store.defineLimits(handlers.jobTypes().stream().sorted()
                    .map(type -> JobLimit.of(type, handlers.requireJob(type).policy())).toList());
        }
    }

    /**
     * A context on the config's store: the application's (kept open at close), or the one the
     * class path's {@link io.jobrunner.spi.store.JobRequestStoreProvider} opens from the settings
     * (closed at close), or none.
     */
    public static RunnerContext open(JobRunnerConfig config) {
        if (config.store().isPresent()) {
            return new RunnerContext(config, config.store().get(), false);
        }
        return new RunnerContext(config, StoreDiscovery.open(config.settings(), config.classLoader()).orElse(null), true);
    }

    public JobRunnerConfig config() {
        return config;
    }

    /** The store; a clear error when the class path holds none and the application passed none. */
    public JobRequestStore store() {
        if (store == null) {
            throw noStore();
        }
        return store;
    }

    /**
     * The application's view of this context's store, for a runner that hands off a retried request
     * with {@code handOff}; its calls fail clearly when there is no store.
     */
    public JobRequests jobRequests(UnaryOperator<JobRequest> handOff) {
        return new StoredJobRequests(this::store, handOff);
    }

    /** {@link #jobRequests(UnaryOperator)} whose {@code resume} then runs {@code resumed}: wakes the runner's own workers. */
    public JobRequests jobRequests(UnaryOperator<JobRequest> handOff, Runnable resumed) {
        return new StoredJobRequests(this::store, handOff, resumed);
    }

    /** The error for work that needs a store when none is available. */
    public JobStoreException noStore() {
        return new JobStoreException("No JobRequestStore is available, so jobs cannot be stored. Add the "
                + "io.jobrunner:job-request-store module to the class path, or pass a store with "
                + "JobRunners.builder().store(...)");
    }

    /** True when a store is available (given, or found on the class path). */
    public boolean hasStore() {
        return store != null;
    }

    /**
     * Refuses a store other processes cannot read, for {@code who} (a runner or worker whose jobs run in,
     * or come from, another process): those processes would look up ids that are not there. The
     * embedded store is allowed with {@code JOB_RUNNER_ALLOW_EMBEDDED_STORE=true}, for trying a
     * topology on one machine.
     *
     * @throws RunnerNotConfiguredException naming {@code DATABASE_URL}
     */
    public void requireSharedStore(String who) {
        requireStoreOthersRead(who, settings.flag(Setting.ALLOW_EMBEDDED_STORE));
    }

    /**
     * For {@code who} whose jobs run in worker processes on this machine or others (the database
     * runner and its workers): a store is needed, and one other processes can read — PostgreSQL, or
     * the embedded store for workers on this machine.
     *
     * @throws JobStoreException            when there is no store
     * @throws RunnerNotConfiguredException naming {@code DATABASE_URL}, for a store only this process reads
     */
    public void requireStoreForWorkers(String who) {
        if (store == null) {
            throw noStore();
        }
        requireStoreOthersRead(who, true);
    }

    /** @param machineSuffices whether other processes on this machine are reach enough (the embedded store) */
    private void requireStoreOthersRead(String who, boolean machineSuffices) {
        if (store == null) {
            return;
        }
        StoreScope scope = store.scope();
        if (scope == StoreScope.NETWORK || (scope == StoreScope.MACHINE && machineSuffices)) {
            return;
        }
        String reach = scope == StoreScope.PROCESS ? "no other process" : "no process on another machine";
        String otherWay = machineSuffices
                ? " (or leave it unset to use the embedded store in ./.jobrunner/ with workers on this machine)"
                : scope == StoreScope.MACHINE ? " (to try it on one machine instead, set " + Setting.ALLOW_EMBEDDED_STORE.variable()
                + "=true and the same JOB_RUNNER_EMBEDDED_DIR in every process)" : "";
        throw new RunnerNotConfiguredException(who, List.of("DATABASE_URL: " + who + " runs jobs in other processes, "
                + "which look them up by id in the store, but this process keeps them in " + store.description()
                + ", which " + reach + " can read; jobs would be sent that no worker can find. Set DATABASE_URL to "
                + "the PostgreSQL database every producer and worker shares" + otherWay));
    }

    /** Tells the listeners how many new requests of each type a dispatch stored (dedup hits are not new). */
    public void dispatched(String runner, List<InsertResult> results) {
        if (!config.hasListeners()) {
            return;
        }
        Map<String, Integer> byType = new TreeMap<>();
        for (InsertResult result : results) {
            if (result.created()) {
                byType.merge(result.request().jobType(), 1, Integer::sum);
            }
        }
        byType.forEach((type, count) -> config.listener().dispatched(runner, type, count));
    }

    /**
     * Checks a task before it leaves: a known name (when this process knows any handlers), a payload
     * Jackson can serialize, within the size limit. Returns the payload as UTF-8 JSON.
     */
    public byte[] encodeTask(String taskName, Object payload) {
        if (taskName == null || taskName.isBlank()) {
            throw new IllegalArgumentException("Task name must not be blank: give the name of a registered TaskHandler");
        }
        Class<?> payloadType = handlers.isEmpty() ? null : handlers.requireTask(taskName).payloadType();
        byte[] json = codec.encode(taskName, payload);
        requireReadable(taskName, payload, json, payloadType);
        if (json.length > config.maxTaskPayloadBytes()) {
            throw new PayloadTooLargeException(taskName, json.length, config.maxTaskPayloadBytes(),
                    Setting.MAX_TASK_PAYLOAD_BYTES.variable());
        }
        return json;
    }

    /** Checks a job before it is stored and turns it into the row to insert, carrying the current dispatch's trace. */
    public NewJobRequest newJobRequest(JobData data, String runnerName) {
        JobHandler<?> handler = handlers.isEmpty() ? null : handlers.requireJob(data.jobType());
        JobPolicy policy = handler == null ? null : handler.policy();
        String payloadJson = codec.encodeToString(data.jobType(), data.payload());
        requireReadable(data.jobType(), data.payload(), payloadJson, handler == null ? null : handler.payloadType());
        if (!PayloadCodec.fitsIn(payloadJson, config.maxJobPayloadBytes())) {
            throw PayloadTooLargeException.ofJob(data.jobType(), payloadJson.getBytes(StandardCharsets.UTF_8).length,
                    config.maxJobPayloadBytes());
        }
        int maxAttempts = maxAttempts(data, policy);
        String dedupKey = data.dedupByPayload()
                ? data.jobType() + ":" + codec.contentKey(data.jobType(), data.payload())
                : data.dedupKey();
        return new NewJobRequest(data.jobType(), data.queueName(), payloadJson, dedupKey, data.runAt(),
                maxAttempts, runnerName).withTraceParent(config.tracer().traceParent())
                .withPriority(data.priority() != null ? data.priority() : policy != null ? policy.priority() : 0)
                .withConcurrencyKey(data.concurrencyKey())
                .withWorkflow(data.after().isEmpty() ? NewJobRequest.Workflow.NONE
                        : new NewJobRequest.Workflow(data.after(), List.of(), data.runWhen(), false));
    }

    /** The rows of a graph's steps, each made by {@code row} and running after the steps and stored jobs it names. */
    public List<NewJobRequest> graphRows(JobGraph graph, Function<JobData, NewJobRequest> row) {
        List<NewJobRequest> rows = new ArrayList<>(graph.size());
        for (JobGraph.Step step : graph.steps()) {
            NewJobRequest made = row.apply(step.job());
            rows.add(step.after().isEmpty() && step.job().after().isEmpty() ? made : made.withWorkflow(
                    new NewJobRequest.Workflow(step.job().after(), step.after(), step.job().runWhen(), false)));
        }
        return rows;
    }

    /** The rows of a batch: its members, then its callbacks, each running after every member. */
    public List<NewJobRequest> batchRows(JobBatch batch, Function<JobData, NewJobRequest> row) {
        List<NewJobRequest> rows = new ArrayList<>(batch.members().size() + batch.callbacks().size());
        for (JobData member : batch.members()) {
            rows.add(row.apply(member).withWorkflow(new NewJobRequest.Workflow(List.of(), List.of(), null, true)));
        }
        List<Integer> members = java.util.stream.IntStream.range(0, batch.members().size()).boxed().toList();
        for (JobBatch.Callback callback : batch.callbacks()) {
            rows.add(row.apply(callback.job()).withWorkflow(new NewJobRequest.Workflow(List.of(), members,
                    callback.when(), false)));
        }
        return rows;
    }

    /** A dispatched batch as {@link #batchRows} laid it out. */
    public static JobBatch.Dispatched dispatchedBatch(JobBatch batch, InsertedGraph stored) {
        int members = batch.members().size();
        List<JobRequest> requests = stored.results().stream().map(InsertResult::request).toList();
        return new JobBatch.Dispatched(stored.batchId(), requests.subList(0, members),
                requests.subList(members, requests.size()));
    }

    /**
     * Reads the payload as the handler will, when this process knows the handler and the payload is
     * not already of its type (a map, a tree, another class): a wrong shape is a
     * {@link io.jobrunner.PayloadException} at dispatch, with the message the worker would give.
     */
    private void requireReadable(String name, Object payload, Object json, Class<?> payloadType) {
        if (payloadType == null || payload == null || payloadType.isInstance(payload)) {
            return;
        }
        if (json instanceof byte[] bytes) {
            codec.decode(name, bytes, payloadType);
        } else {
            codec.decode(name, (String) json, payloadType);
        }
    }

    /**
     * Attempts for a new request: the job's own, else its type's policy, else (when this process does
     * not know the handler) {@code JOB_RUNNER_MAX_ATTEMPTS}. The worker retries only what the policy
     * allows, whatever is stored.
     */
    private int maxAttempts(JobData data, JobPolicy policy) {
        if (data.maxAttempts() == null) {
            return policy != null ? policy.maxAttempts() : config.maxAttempts();
        }
        if (policy != null && data.maxAttempts() > 1 && !policy.idempotent()) {
            throw new IllegalArgumentException("Job type '" + data.jobType() + "' is not declared idempotent, so it "
                    + "is never retried automatically and maxAttempts(" + data.maxAttempts() + ") cannot apply. Declare "
                    + "its handler's policy idempotent if running it twice is harmless, or drop maxAttempts");
        }
        return data.maxAttempts();
    }

    /** What the runner's readiness check finds of the store: nothing when it answers, or has none to ask. */
    public List<String> storeProblems() {
        return store == null ? List.of() : store.unreachable().stream().toList();
    }

    /** Closes the store if this context opened it. */
    @Override
    public void close() {
        if (ownsStore && store != null) {
            store.close();
        }
    }
}
