package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorker;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Dispatch-to-start latency on an idle system, PostgreSQL: jobs dispatched one at a time, 20 ms
 * apart, each handler noting how long after its {@code dispatchJob} call began it started. For
 * {@code inprocess-async}, for the {@code database} runner with a {@link DatabaseWorker} (in this
 * JVM, so one clock measures both ends; it is woken by NOTIFY as a worker process would be), and for
 * {@code sqs} with an {@link SqsWorker} in this JVM on a local SQS server.
 *
 * <p>Arguments: jobs (default 200), gap in ms (default 20).
 */
public final class LatencyBenchmark {

    /** How long each {@code dispatchJob} call of the last measured round took, µs. */
    private static final List<Long> dispatchMicros = Collections.synchronizedList(new ArrayList<>());

    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long gapMillis = args.length > 1 ? Long.parseLong(args[1]) : 20;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(LatencyBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 8, postgres.schema())) {
            System.out.printf(Locale.ROOT, "Dispatch-to-start latency, %d jobs %d ms apart, idle PostgreSQL%n", jobs, gapMillis);
            for (String runnerName : List.of("inprocess-async", "database", "sqs")) {
                measure(postgres, store, runnerName, 50, gapMillis, false);  // warm-up
                List<Long> micros = measure(postgres, store, runnerName, jobs, gapMillis, true);
                Collections.sort(micros);
                double p50 = micros.get(micros.size() / 2) / 1000.0;
                double p99 = micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0;
                double max = micros.get(micros.size() - 1) / 1000.0;
                List<Long> calls = new ArrayList<>(dispatchMicros);
                Collections.sort(calls);
                System.out.printf(Locale.ROOT, "  %-16s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms   (the dispatchJob call: p50"
                                + " %.2f ms)   targets p50 <= 2.5 ms, p99 <= 8 ms -> %s%n", runnerName, p50, p99, max,
                        calls.get(calls.size() / 2) / 1000.0, runnerName.equals("sqs") ? (p99 <= 15 ? "p99 <= 15 ms: met"
                                : "p99 <= 15 ms: NOT met") : p50 <= 2.5 && p99 <= 8 ? "met" : "NOT met");
            }
        }
    }

    private static List<Long> measure(PostgresFixture postgres, JdbiJobRequestStore store, String runnerName, int jobs,
                                      long gapMillis, boolean keep) throws Exception {
        postgres.execute("TRUNCATE job_request CASCADE");
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        if (keep) {
            dispatchMicros.clear();
        }
        CountDownLatch started = new CountDownLatch(jobs);
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("stamp", Long.class, (dispatchedAt, context) -> {
                    micros.add((System.nanoTime() - dispatchedAt) / 1_000);
                    started.countDown();
                    return null;
                }))
                .build();
        boolean sqs = runnerName.equals("sqs");
        LocalSqs server = sqs ? LocalSqs.start() : null;
        Map<String, String> settings = new HashMap<>(sqs ? server.settings(server.createQueue("latency", 30, 5).url())
                : Map.of());
        settings.put("JOB_RUNNER", runnerName);
        boolean database = runnerName.equals("database");
        try (LocalSqs closing = server;
             JobRunner runner = JobRunners.builder().environment(settings)
                .handlers(database || sqs ? HandlerRegistry.empty() : handlers).store(store).build();
             DatabaseWorker worker = database ? DatabaseWorker.create(JobRunners.builder().environment(settings)
                     .handlers(handlers).store(store).config()).start() : null;
             SqsWorker sqsWorker = sqs ? SqsWorker.create(JobRunners.builder().environment(settings)
                     .handlers(handlers).store(store).config()).start() : null) {
            Thread.sleep(500);  // idle: the worker's first claim is done
            for (int i = 0; i < jobs; i++) {
                long before = System.nanoTime();
                runner.dispatchJob(JobData.of("stamp", before));
                dispatchMicros.add((System.nanoTime() - before) / 1_000);
                Thread.sleep(gapMillis);
            }
            started.await();
        }
        return keep ? new ArrayList<>(micros) : List.of();
    }
}
