package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * One burn-down set-up of {@link BurnDownBenchmark} and {@link BaselineBurnDown} — a schema, a
 * store, and {@code workerProcesses} database worker processes started from {@code classPath},
 * kept for every round. {@link BaselineBurnDown} loads a copy of this class next to each version's
 * jar, so it calls nothing but what every version since the first burn-down benchmark has (its
 * worker processes are started here, not by {@link WorkerProcesses}, which older jars lack).
 * {@link #applyAsDouble} burns down one batch of no-op jobs (dispatched one by one when given true)
 * and returns jobs per second.
 */
public final class BurnDownSetUp implements ToDoubleFunction<Boolean>, AutoCloseable {

    private final PostgresFixture postgres;
    private final JdbiJobRequestStore store;
    private final Map<String, String> settings;
    private final List<Process> workers = new ArrayList<>();
    private final List<JobData> batch;

    public BurnDownSetUp(String runner, int workerProcesses, String classPath, int jobs) throws Exception {
        Class.forName("org.postgresql.Driver");  // registers this version's driver: DriverManager loads only the JVM's own
        postgres = PostgresFixture.forTestClass(BurnDownSetUp.class);
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 8, postgres.schema());
        settings = Map.of("JOB_RUNNER", runner, "DATABASE_URL", postgres.serverUrl(),
                "JOB_RUNNER_DB_SCHEMA", postgres.schema(), "JOB_RUNNER_DB_POOL_SIZE", "12");
        batch = NoopJob.batch(jobs);
        List<File> logs = new ArrayList<>();
        for (int i = 0; i < workerProcesses; i++) {
            File log = File.createTempFile("burn-down-worker", ".log");
            log.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
                    "-Xmx512m", "-cp", classPath, "io.jobrunner.inprocess.DatabaseWorkerMain")
                    .redirectErrorStream(true).redirectOutput(log);
            builder.environment().putAll(settings);
            workers.add(builder.start());
            logs.add(log);
        }
        for (int i = 0; i < workers.size(); i++) {
            while (!Files.readString(logs.get(i).toPath(), StandardCharsets.UTF_8).contains("takes job types")) {
                if (!workers.get(i).isAlive()) {
                    throw new IllegalStateException("A worker process died:\n" + Files.readString(logs.get(i).toPath()));
                }
                Thread.sleep(20);
            }
        }
    }

    /** The set-up's schema. */
    public PostgresFixture postgres() {
        return postgres;
    }

    @Override
    public double applyAsDouble(Boolean oneByOne) {
        try {
            postgres.execute("TRUNCATE job_request CASCADE");
            HandlerRegistry handlers = workers.isEmpty() ? HandlerRegistry.builder().job(new NoopJob()).build()
                    : HandlerRegistry.empty();
            try (JobRunner runner = JobRunners.builder().environment(settings).handlers(handlers).store(store).build()) {
                long start = System.currentTimeMillis();
                long first;
                if (oneByOne) {
                    first = runner.dispatchJob(batch.get(0)).id();
                    for (JobData job : batch.subList(1, batch.size())) {
                        runner.dispatchJob(job);
                    }
                } else {
                    first = runner.dispatchJobs(batch).get(0).id();
                }
                return Finish.rate(batch.size(), start, Finish.awaitSucceeded(postgres, first, batch.size()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("The burn-down failed: " + e.getMessage(), e);
        }
    }

    /** Stops the workers as SIGTERM does (up to 30 s each), then the store, and drops the schema. */
    @Override
    public void close() throws Exception {
        for (Process worker : workers) {
            worker.destroy();
        }
        for (Process worker : workers) {
            if (!worker.waitFor(30, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
        }
        store.close();
        postgres.close();
    }
}
