package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorkerMain;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The everyday path: jobs dispatched one at a time from one thread while 8 threads burn them down,
 * on PostgreSQL, for {@code inprocess-async}, for the {@code database} runner with one worker
 * process, and for the plain-JDBC baseline ({@link PlainJdbcQueue}: the same insert → claim →
 * complete protocol on a table of the same shape, grouped commits, nothing else). Per set-up: jobs
 * per second from the first dispatch to the last success, commits per job (the database's count),
 * and CPU milliseconds per job of the client JVMs and of PostgreSQL ({@code /proc}); then each
 * against the baseline. Set-ups alternate round by round after a warm-up; medians.
 *
 * <p>Arguments: jobs per round (default 10000), rounds (default 3).
 */
public final class OneByOneBenchmark {

    private OneByOneBenchmark() {
    }

    /** What one round of one set-up measured. */
    record Round(double jobsPerSecond, double commitsPerJob, double clientCpuMsPerJob, double databaseCpuMsPerJob) {
    }

    /** A set-up: dispatches job {@code i}, and knows its table, its schema and the CPU of its client processes. */
    interface SetUp extends AutoCloseable {
        String name();

        PostgresFixture postgres();

        String table();

        void reset() throws Exception;

        void dispatch(int i) throws Exception;

        double clientCpuMs();
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Map<String, List<Round>> results = new LinkedHashMap<>();
        try (RunnerSetUp inProcess = new RunnerSetUp("inprocess-async", false);
             RunnerSetUp worker = new RunnerSetUp("database", true);
             SqsSetUp sqs = new SqsSetUp();
             PlainSetUp plain = new PlainSetUp()) {
            List<SetUp> setUps = List.of(inProcess, worker, sqs, plain);
            for (int round = 0; round <= rounds; round++) {
                for (SetUp setUp : setUps) {
                    Round measured = measure(setUp, jobs);
                    System.out.printf(Locale.ROOT, "  %s%-28s %,8.0f jobs/s  %.2f writing commits/job  CPU ms/job %.3f client"
                                    + " + %.3f PostgreSQL%n", round == 0 ? "(warm-up) " : "", setUp.name(),
                            measured.jobsPerSecond(), measured.commitsPerJob(), measured.clientCpuMsPerJob(),
                            measured.databaseCpuMsPerJob());
                    if (round > 0) {
                        results.computeIfAbsent(setUp.name(), k -> new ArrayList<>()).add(measured);
                    }
                }
            }
        }
        report(jobs, rounds, results);
    }

    private static void report(int jobs, int rounds, Map<String, List<Round>> results) {
        Round baseline = median(results.get(PlainSetUp.NAME));
        Round inProcess = median(results.get("inprocess-async"));
        System.out.printf(Locale.ROOT, "%nOne by one: %,d no-op jobs dispatched from one thread, 8 threads burning them"
                + " down, PostgreSQL (median of %d rounds)%n", jobs, rounds);
        System.out.printf(Locale.ROOT, "  %-28s %10s %8s %12s %14s %10s%n", "set-up", "jobs/s", "ratio",
                "commits/job", "CPU ms/job", "CPU ratio");
        for (Map.Entry<String, List<Round>> entry : results.entrySet()) {
            Round m = median(entry.getValue());
            double ratio = m.jobsPerSecond() / baseline.jobsPerSecond();
            double cpu = m.clientCpuMsPerJob() + m.databaseCpuMsPerJob();
            double cpuRatio = cpu / (baseline.clientCpuMsPerJob() + baseline.databaseCpuMsPerJob());
            String targets;
            if (entry.getKey().equals(PlainSetUp.NAME)) {
                targets = "(baseline)";
            } else if (entry.getKey().equals(SqsSetUp.NAME)) {
                double ofInProcess = m.jobsPerSecond() / inProcess.jobsPerSecond();
                targets = String.format(Locale.ROOT, "target: >= 0.8 of inprocess-async -> %.2f, %s", ofInProcess,
                        ofInProcess >= 0.8 ? "met" : "NOT met");
            } else {
                targets = "targets: ratio >= 0.8 -> " + (ratio >= 0.8 ? "met" : "NOT met") + "; CPU <= 2x -> "
                        + (cpuRatio <= 2 ? "met" : "NOT met");
            }
            System.out.printf(Locale.ROOT, "  %-28s %,10.0f %8.2f %12.2f %7.3f+%.3f %10.2f   %s%n", entry.getKey(),
                    m.jobsPerSecond(), ratio, m.commitsPerJob(), m.clientCpuMsPerJob(), m.databaseCpuMsPerJob(),
                    cpuRatio, targets);
        }
    }

    private static Round measure(SetUp setUp, int jobs) throws Exception {
        setUp.reset();
        long commitsBefore = writeTransactions(setUp.postgres());
        Map<Long, Double> databaseBefore = ProcessCpu.postgres();
        double clientBefore = setUp.clientCpuMs();
        long start = System.currentTimeMillis();
        for (int i = 0; i < jobs; i++) {
            setUp.dispatch(i);
        }
        long last = awaitSucceeded(setUp, jobs);
        double client = setUp.clientCpuMs() - clientBefore;
        double database = ProcessCpu.postgresBetween(databaseBefore, ProcessCpu.postgres());
        double commits = writeTransactions(setUp.postgres()) - commitsBefore - 1;  // less the first reading's own
        return new Round(Finish.rate(jobs, start, last), commits / jobs, client / jobs, database / jobs);
    }

    /**
     * Transactions that wrote, server-wide, so far: the transaction id counter, which only writing
     * transactions advance (and this reading, by one). Unlike {@code pg_stat_database}'s commit
     * count, which idle backends report up to ten seconds late, it is exact at once; a commit that
     * wrote nothing costs no WAL flush, so these are the commits that cost.
     */
    private static long writeTransactions(PostgresFixture postgres) throws Exception {
        try (Connection connection = postgres.connect();
             ResultSet rs = connection.createStatement().executeQuery("SELECT txid_current()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The epoch millisecond the last of {@code count} jobs succeeded, by the database's clock. */
    private static long awaitSucceeded(SetUp setUp, int count) throws Exception {
        try (Connection connection = setUp.postgres().connect()) {
            while (true) {
                try (ResultSet rs = connection.createStatement().executeQuery("SELECT count(*), cast(floor(extract(epoch"
                        + " FROM max(finished_at)) * 1000) AS bigint) FROM " + setUp.table() + " WHERE status = 'succeeded'")) {
                    rs.next();
                    if (rs.getLong(1) >= count) {
                        return rs.getLong(2);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    private static Round median(List<Round> rounds) {
        return new Round(median(rounds, Round::jobsPerSecond), median(rounds, Round::commitsPerJob),
                median(rounds, Round::clientCpuMsPerJob), median(rounds, Round::databaseCpuMsPerJob));
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
        List<Double> values = new ArrayList<>();
        rounds.forEach(r -> values.add(figure.applyAsDouble(r)));
        Collections.sort(values);
        int middle = values.size() / 2;
        return values.size() % 2 == 1 ? values.get(middle) : (values.get(middle - 1) + values.get(middle)) / 2;
    }

    /** A jobrunner runner in this JVM over a store in a schema of its own; its workers are the subclass's. */
    private abstract static class StoredSetUp implements SetUp {
        final PostgresFixture postgres = PostgresFixture.forTestClass(OneByOneBenchmark.class);
        final JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 12,
                postgres.schema());
        JobRunner runner;

        @Override
        public PostgresFixture postgres() {
            return postgres;
        }

        @Override
        public String table() {
            return "job_request";
        }

        @Override
        public void reset() {
            postgres.execute("TRUNCATE job_request CASCADE");
        }

        @Override
        public void dispatch(int i) {
            runner.dispatchJob(JobData.of(NoopJob.TYPE, i));
        }

        /** Stops the workers; the runner, the store and the schema close after. */
        abstract void closeWorkers() throws Exception;

        @Override
        public void close() throws Exception {
            runner.close();
            closeWorkers();
            store.close();
            postgres.close();
        }
    }

    /** A jobrunner runner in this JVM, and for {@code database} one worker process. */
    private static final class RunnerSetUp extends StoredSetUp {
        private final String runnerName;
        private final ChildJvm worker;

        RunnerSetUp(String runnerName, boolean workerProcess) throws Exception {
            this.runnerName = runnerName;
            Map<String, String> settings = Map.of("JOB_RUNNER", runnerName, "DATABASE_URL", postgres.serverUrl(),
                    "JOB_RUNNER_DB_SCHEMA", postgres.schema(), "JOB_RUNNER_DB_POOL_SIZE", "12");
            this.worker = workerProcess
                    ? ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx512m")) : null;
            if (worker != null) {
                while (!worker.output().contains("takes job types")) {
                    if (!worker.isAlive()) {
                        throw new IllegalStateException("The worker process died:\n" + worker.output());
                    }
                    Thread.sleep(20);
                }
            }
            this.runner = JobRunners.builder().environment(settings)
                    .handlers(workerProcess ? HandlerRegistry.empty() : HandlerRegistry.builder().job(new NoopJob()).build())
                    .store(store).build();
        }

        @Override
        public String name() {
            return worker == null ? runnerName : runnerName + ", 1 worker process";
        }

        @Override
        public double clientCpuMs() {
            return ProcessCpu.thisJvm() + (worker == null ? 0 : ProcessCpu.of(worker.pid()));
        }

        @Override
        void closeWorkers() throws Exception {
            if (worker != null) {
                worker.terminate(30);
                worker.close();
            }
        }
    }

    /** {@code sqs}: the runner and an {@link SqsWorker} (defaults, 8 threads) in this JVM, on a local SQS server. */
    private static final class SqsSetUp extends StoredSetUp {
        static final String NAME = "sqs, SqsWorker in-JVM";
        private final LocalSqs sqs = LocalSqs.start();
        private final SqsWorker worker;

        SqsSetUp() {
            Map<String, String> settings = new HashMap<>(sqs.settings(sqs.createQueue("one-by-one", 30, 5).url()));
            settings.put("JOB_RUNNER", "sqs");
            runner = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty()).store(store).build();
            worker = SqsWorker.create(JobRunners.builder().environment(settings)
                    .handlers(HandlerRegistry.builder().job(new NoopJob()).build()).store(store).config()).start();
        }

        @Override
        public String name() {
            return NAME;
        }

        /** This JVM, whose CPU includes the local SQS server's. */
        @Override
        public double clientCpuMs() {
            return ProcessCpu.thisJvm();
        }

        @Override
        void closeWorkers() {
            worker.close();
            sqs.close();
        }
    }

    /** The plain-JDBC baseline in this JVM. */
    private static final class PlainSetUp implements SetUp {
        static final String NAME = "plain JDBC baseline";
        private final PostgresFixture postgres = PostgresFixture.forTestClass(PlainJdbcQueue.class);
        private final PlainJdbcQueue queue;

        PlainSetUp() throws Exception {
            JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 1, postgres.schema()).close();
            queue = new PlainJdbcQueue(postgres, 8);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public PostgresFixture postgres() {
            return postgres;
        }

        @Override
        public String table() {
            return "plain_job";
        }

        @Override
        public void reset() {
            queue.truncate();
        }

        @Override
        public void dispatch(int i) throws Exception {
            queue.dispatch(NoopJob.TYPE, i);
        }

        @Override
        public double clientCpuMs() {
            return ProcessCpu.thisJvm();
        }

        @Override
        public void close() throws Exception {
            queue.close();
            postgres.close();
        }
    }
}
