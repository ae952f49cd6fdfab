package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fleet-wide concurrency limit under load, on PostgreSQL: a database worker with 8 threads burns
 * down jobs that each hold their thread for a few milliseconds, of a type without a limit and of a
 * type limited to 4 ({@link JobPolicy.Builder#maxRunning}), in alternating rounds. While the limited
 * type runs, a sampler reads how many of its jobs the store says are running, and the handler counts
 * how many of its runs overlap; both must stay at or under 4. Prints each round, the most seen
 * running, and the limited throughput as a ratio of the unlimited one (target at least 0.45: half
 * the threads, less the cost of the limit).
 *
 * <p>Arguments: jobs per round (default 2000), rounds (default 5), milliseconds per job (default 5).
 */
public final class LimitBenchmark {

    private static final String FREE = "work-free";
    private static final String CAPPED = "work-capped";
    private static final int LIMIT = 4;
    private static final int THREADS = 8;
    private static final List<Work> WORKS = new ArrayList<>();
    private static final long SAMPLE_MILLIS = Long.getLong("sample.millis", 2);

    private LimitBenchmark() {
    }

    /** Holds its thread for the payload's milliseconds; counts how many of its runs overlap. */
    private static final class Work implements JobHandler<Integer> {
        private final String type;
        private final JobPolicy policy;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        Work(String type, JobPolicy policy) {
            this.type = type;
            this.policy = policy;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<Integer> payloadType() {
            return Integer.class;
        }

        @Override
        public JobPolicy policy() {
            return policy;
        }

        final java.util.concurrent.atomic.AtomicLong startDelayMillis = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public Object run(Integer millis, io.jobrunner.JobContext context) throws InterruptedException {
            startDelayMillis.addAndGet(System.currentTimeMillis() - context.request().attemptStartedAt().toEpochMilli());
            runs.incrementAndGet();
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis);
            } finally {
                running.decrementAndGet();
            }
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int millis = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Work free = new Work(FREE, JobPolicy.defaults());
        Work capped = new Work(CAPPED, JobPolicy.builder().maxRunning(LIMIT).build());
        WORKS.add(free);
        WORKS.add(capped);
        List<Double> freeRates = new ArrayList<>();
        List<Double> cappedRates = new ArrayList<>();
        int mostSampled = 0;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(LimitBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 12,
                     postgres.schema())) {
            JobRunnerConfig config = JobRunners.builder()
                    .environment(Map.of("JOB_RUNNER", "database", "JOB_RUNNER_CONCURRENCY", String.valueOf(THREADS),
                            "JOB_RUNNER_POLL_INTERVAL", args.length > 3 ? args[3] : "1s"))
                    .handlers(HandlerRegistry.builder().job(free).job(capped).build()).store(store).config();
            try (JobRunner producer = config.newRunner(); DatabaseWorker worker = DatabaseWorker.create(config).start()) {
                for (int round = 0; round <= rounds; round++) {
                    boolean warmup = round == 0;
                    double freeRate = burnDown(postgres, producer, FREE, jobs, millis, null);
                    int[] sampled = new int[1];
                    double cappedRate = burnDown(postgres, producer, CAPPED, jobs, millis, sampled);
                    mostSampled = Math.max(mostSampled, sampled[0]);
                    System.out.printf(Locale.ROOT, "  %sno limit %,8.0f jobs/s   limit %d: %,8.0f jobs/s   ratio %.2f   most"
                                    + " running: %d sampled in the store, %d in the handler%n", warmup ? "(warm-up) " : "",
                            freeRate, LIMIT, cappedRate, cappedRate / freeRate, sampled[0], capped.most.get());
                    if (!warmup) {
                        freeRates.add(freeRate);
                        cappedRates.add(cappedRate);
                    }
                }
            }
        }
        double ratio = median(cappedRates) / median(freeRates);
        int most = Math.max(mostSampled, capped.most.get());
        System.out.printf(Locale.ROOT, "Concurrency limit of %d on %d threads, %,d jobs of %d ms per round (median of %d"
                        + " rounds): no limit %,.0f jobs/s, limited %,.0f jobs/s, ratio %.2f (target >= 0.45 -> %s); most"
                        + " running at once %d (target <= %d -> %s); without a limit the handler saw %d at once%n",
                LIMIT, THREADS, jobs, millis, rounds, median(freeRates), median(cappedRates), ratio,
                ratio >= 0.45 ? "met" : "NOT met", most, LIMIT, most <= LIMIT ? "met" : "NOT met", free.most.get());
    }

    /** Jobs per second from the dispatch until the last succeeded; samples the running count when asked. */
    private static double burnDown(PostgresFixture postgres, JobRunner producer, String type, int jobs, int millis,
                                   int[] mostSampled) throws Exception {
        postgres.execute("TRUNCATE job_request CASCADE");
        List<JobData> batch = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            batch.add(JobData.of(type, millis));
        }
        AtomicBoolean sampling = new AtomicBoolean(mostSampled != null);
        Thread sampler = new Thread(() -> sample(postgres, type, sampling, mostSampled), "running-sampler");
        sampler.start();
        try {
            long start = System.currentTimeMillis();
            long first = producer.dispatchJobs(batch).get(0).id();
            double rate = Finish.rate(jobs, start, Finish.awaitSucceeded(postgres, first, jobs));
            if (System.getenv("LIMIT_BENCHMARK_DEBUG") != null) {
                try (Connection c = postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                        "SELECT avg(extract(epoch FROM finished_at - attempt_started_at)) * 1000,"
                                + " avg(extract(epoch FROM attempt_started_at - created_at)) * 1000 FROM job_request")) {
                    rs.next();
                    System.out.printf(Locale.ROOT, "    %s: claim to stored success %.2f ms on average%n", type, rs.getDouble(1));
                    for (Work work : WORKS) {
                        System.out.printf(Locale.ROOT, "    %s: claim to handler start %.2f ms on average%n", work.type,
                                work.startDelayMillis.get() / (double) Math.max(1, work.runs.get()));
                    }
                }
            }
            return rate;
        } finally {
            sampling.set(false);
            sampler.join();
        }
    }

    private static void sample(PostgresFixture postgres, String type, AtomicBoolean sampling, int[] most) {
        if (most == null) {
            return;
        }
        try (Connection connection = postgres.connect();
             PreparedStatement running = connection.prepareStatement(
                     "SELECT count(*) FROM job_request WHERE status = 'running' AND job_type = ?")) {
            running.setString(1, type);
            while (sampling.get()) {
                try (ResultSet rs = running.executeQuery()) {
                    rs.next();
                    most[0] = Math.max(most[0], rs.getInt(1));
                }
                Thread.sleep(SAMPLE_MILLIS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Sampling the running count failed", e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
