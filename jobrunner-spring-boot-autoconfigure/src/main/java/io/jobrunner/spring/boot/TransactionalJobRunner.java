package io.jobrunner.spring.boot;

import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobSchedules;
import io.jobrunner.Readiness;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The {@link JobRunner} bean: the runner the settings chose, joining the caller's Spring transaction
 * when the store keeps its requests in the application's {@link DataSource}. Inside a transaction
 * ({@code @Transactional}, {@code TransactionTemplate}) a job is stored through the transaction's
 * connection, so it commits or rolls back with the caller's work, and it is handed off — woken in
 * process, sent to SQS, invoked on Lambda — only after the commit; a task dispatched there is
 * dispatched after the commit too, and not at all on rollback. Outside a transaction, and when the
 * store is not the application's data source, every call goes straight to the runner. Thread-safe.
 */
public final class TransactionalJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(TransactionalJobRunner.class);

    private final RunnerBuild build;
    /** The application's data source the store writes to, or {@code null} when the store has its own. */
    private final Supplier<DataSource> dataSource;

    /** @param dataSource the application's data source the store writes to, or {@code null}; asked for once the store is open */
    TransactionalJobRunner(RunnerBuild build, Supplier<DataSource> dataSource) {
        this.build = build;
        this.dataSource = dataSource;
    }

    /** The application's data source the store writes to, or {@code null}: read when the runner is built. */
    private DataSource dataSource() {
        build.get();
        return dataSource.get();
    }

    /** What the runner was built from: its settings, handlers and store, for the workers this application starts. */
    JobRunnerConfig config() {
        return build.get().config();
    }

    /** Checks the settings and the runner's own settings without building it; the runner's name. */
    String checkRunner() {
        return build.check();
    }

    /** The runner the settings chose, for what only it offers; built on first use. */
    public JobRunner runner() {
        return build.get().runner();
    }

    /** Whether this call runs inside a Spring transaction whose connection the store can write through. */
    private boolean inTransaction() {
        return TransactionSynchronizationManager.isActualTransactionActive()
                && TransactionSynchronizationManager.isSynchronizationActive() && dataSource() != null;
    }

    @Override
    public JobRequest dispatchJob(JobData data) {
        return inTransaction() ? dispatchInTransaction(List.of(data)).get(0) : runner().dispatchJob(data);
    }

    @Override
    public List<JobRequest> dispatchJobs(List<JobData> jobs) {
        return inTransaction() ? dispatchInTransaction(jobs) : runner().dispatchJobs(jobs);
    }

    /** Always in a transaction of its own: a graph is stored by the store's own connection, after Spring's commits or not. */
    @Override
    public List<JobRequest> dispatchGraph(io.jobrunner.JobGraph graph) {
        return runner().dispatchGraph(graph);
    }

    /** As {@link #dispatchGraph}: in a transaction of its own. */
    @Override
    public io.jobrunner.JobBatch.Dispatched dispatchBatch(io.jobrunner.JobBatch batch) {
        return runner().dispatchBatch(batch);
    }

    private List<JobRequest> dispatchInTransaction(List<JobData> jobs) {
        Connection connection = DataSourceUtils.getConnection(dataSource());
        try {
            List<JobRequest> stored = new ArrayList<>(jobs.size());
            for (JobData data : jobs) {
                stored.add(runner().dispatchJob(connection, data));
            }
            afterCommit().jobs.addAll(stored);
            return stored;
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource());
        }
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        if (inTransaction()) {
            afterCommit().tasks.add(() -> runner().dispatchTask(taskName, payload));
        } else {
            runner().dispatchTask(taskName, payload);
        }
    }

    @Override
    public void dispatchTasks(String taskName, List<?> payloads) {
        if (inTransaction()) {
            List<?> copy = List.copyOf(payloads);
            afterCommit().tasks.add(() -> runner().dispatchTasks(taskName, copy));
        } else {
            runner().dispatchTasks(taskName, payloads);
        }
    }

    /**
     * The work this runner has waiting for the current transaction's commit, registered with it on
     * first use. Found among the transaction's own synchronizations, so a transaction suspended by
     * an inner {@code REQUIRES_NEW} one keeps its work apart from the inner one's.
     */
    private AfterCommit afterCommit() {
        for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
            if (synchronization instanceof AfterCommit waiting && waiting.owner() == this) {
                return waiting;
            }
        }
        AfterCommit waiting = new AfterCommit();
        TransactionSynchronizationManager.registerSynchronization(waiting);
        return waiting;
    }

    /** Hands off the transaction's jobs and dispatches its tasks once it committed; forgets them either way. */
    private final class AfterCommit implements TransactionSynchronization {
        final List<JobRequest> jobs = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void afterCommit() {
            if (!jobs.isEmpty()) {
                TransactionalJobRunner.this.runner().handOff(jobs);  // a failed send is left to the hand-off sweep: the jobs are stored
            }
            for (Runnable task : tasks) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("A task dispatched inside a transaction could not be dispatched after its commit", e);
                }
            }
        }

        TransactionalJobRunner owner() {
            return TransactionalJobRunner.this;
        }
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        return runner().dispatchJob(connection, data);
    }

    @Override
    public void handOff(Collection<JobRequest> requests) {
        runner().handOff(requests);
    }

    @Override
    public String name() {
        return runner().name();
    }

    @Override
    public boolean fullyConfigured() {
        return runner().fullyConfigured();
    }

    @Override
    public Readiness readiness() {
        return runner().readiness();
    }

    @Override
    public JobRequests jobs() {
        return runner().jobs();
    }

    @Override
    public JobSchedules schedules() {
        return runner().schedules();
    }

    /** Closed by the starter's lifecycle, after the workers it started; a runner never used is never built. */
    @Override
    public void close() {
        build.close();
    }

    @Override
    public String toString() {
        return "TransactionalJobRunner[joins Spring transactions on the application's DataSource when the store is in it]";
    }
}
