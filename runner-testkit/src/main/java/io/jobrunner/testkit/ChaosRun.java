package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.spi.store.JobRequestStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A chaos run against worker processes: {@link ChaosJob}s dispatched by the thousand while workers
 * are killed with SIGKILL every few seconds (each replaced by a new one), and the database cut off
 * from them once, for several seconds, by a {@link TcpProxy} between them and PostgreSQL. It then
 * checks that every job succeeded, that no two completed runs of one job overlapped in time, and
 * that the workers alive through the cut ran jobs again after it without being restarted; and it
 * prints its figures. Sizes come from system properties ({@code jobrunner.chaos.jobs}, default
 * 2,000) so a longer run is one flag away (the {@code chaos} profile).
 */
public final class ChaosRun {

    private final String name;
    private final PostgresFixture postgres;
    private final JobRequestStore store;
    private final JobRunner producer;
    private final Function<Map<String, String>, ChildJvm> startWorker;
    private final Map<String, String> workerSettings;
    private final int jobs = Integer.getInteger("jobrunner.chaos.jobs", 2_000);
    private final int workers = Integer.getInteger("jobrunner.chaos.workers", 3);
    private final Duration killEvery = Duration.ofMillis(Long.getLong("jobrunner.chaos.killEveryMs", 2_000));
    private final Duration cutFor = Duration.ofMillis(Long.getLong("jobrunner.chaos.cutMs", 5_000));
    private final Random random = new Random(Long.getLong("jobrunner.chaos.seed", 7));

    /**
     * @param workerSettings the workers' environment; {@code DATABASE_URL} is replaced by one through the proxy
     * @param startWorker    starts one worker process with the environment given
     */
    public ChaosRun(String name, PostgresFixture postgres, JobRequestStore store, JobRunner producer,
                    Map<String, String> workerSettings, Function<Map<String, String>, ChildJvm> startWorker) {
        this.name = name;
        this.postgres = postgres;
        this.store = store;
        this.producer = producer;
        this.workerSettings = workerSettings;
        this.startWorker = startWorker;
    }

    /** Runs it and checks what the class says; returns the figures, also printed. */
    public Figures run() throws Exception {
        postgres.execute(ChaosJob.TABLE);
        try (TcpProxy proxy = TcpProxy.to(postgres.host(), postgres.port())) {
            Map<String, String> settings = new HashMap<>(workerSettings);
            settings.put("DATABASE_URL", postgres.serverUrlThrough("127.0.0.1", proxy.port()));
            settings.put("JOB_RUNNER_DB_SCHEMA", postgres.schema());
            settings.put(ContractEffects.URL_VARIABLE, postgres.jdbcUrl());
            List<ChildJvm> running = new ArrayList<>();
            List<ChildJvm> all = new ArrayList<>();
            try {
                for (int i = 0; i < workers; i++) {
                    ChildJvm worker = startWorker.apply(settings);
                    running.add(worker);
                    all.add(worker);
                }
                return drive(proxy, settings, running, all);
            } finally {
                for (ChildJvm worker : running) {
                    if (worker.isAlive()) {
                        worker.kill();
                    }
                }
                all.forEach(ChildJvm::close);
            }
        }
    }

    private Figures drive(TcpProxy proxy, Map<String, String> settings, List<ChildJvm> running, List<ChildJvm> all)
            throws Exception {
        Instant began = Instant.now();
        List<JobData> batch = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            // the row's attempts are the producer's to set: it does not know the handler's policy
            batch.add(JobData.builder(ChaosJob.TYPE).payload(50 + random.nextInt(200)).maxAttempts(ChaosJob.MAX_ATTEMPTS)
                    .build());
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < batch.size(); i += 500) {
            producer.dispatchJobs(batch.subList(i, Math.min(batch.size(), i + 500))).forEach(r -> ids.add(r.id()));
        }
        int kills = 0;
        boolean cutDone = false;
        Instant restoredAt = null;
        long refused = 0;
        Set<Long> survivors = Set.of();
        Duration allowed = Duration.ofSeconds(Math.max(240, jobs / 30));  // at least four times what a run needs
        long deadline = System.nanoTime() + allowed.toNanos();
        while (unfinished() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": " + succeeded() + " of " + jobs + " jobs succeeded within " + allowed
                        + "; statuses " + store.counts().byStatus() + "; a worker's output:\n" + running.get(0).output());
            }
            Thread.sleep(killEvery.toMillis());
            if (!cutDone && kills >= 2) {
                survivors = running.stream().map(ChildJvm::pid).collect(Collectors.toSet());
                awaitRunsAfter(began, survivors);  // each has started and runs jobs: what the cut then stops
                proxy.cut();
                Thread.sleep(cutFor.toMillis());
                refused = proxy.refused();
                proxy.restore();
                restoredAt = Instant.now();
                cutDone = true;
                awaitRunsAfter(restoredAt, survivors);
                continue;
            }
            if (succeeded() < jobs * 9L / 10) {  // kill while most of the work is still ahead
                ChildJvm victim = running.remove(random.nextInt(running.size()));
                victim.kill();
                kills++;
                ChildJvm replacement = startWorker.apply(settings);
                running.add(replacement);
                all.add(replacement);
            }
        }
        Duration took = Duration.between(began, Instant.now());
        return check(ids, kills, refused, restoredAt, survivors, took);
    }

    private long unfinished() {
        return store.count(JobQuery.all().withStatus(JobStatus.QUEUED, JobStatus.RUNNING).withJobType(ChaosJob.TYPE));
    }

    private long succeeded() {
        return store.count(JobQuery.all().withStatus(JobStatus.SUCCEEDED).withJobType(ChaosJob.TYPE));
    }

    /** Each of these workers completes a run that started after {@code since}. */
    private void awaitRunsAfter(Instant since, Set<Long> workers) {
        long after = ChronoUnit.MICROS.between(Instant.EPOCH, since);
        for (long pid : workers) {
            Await.until("worker " + pid + " runs a job started after " + since, Duration.ofSeconds(60),
                    () -> runsOf(pid, after) > 0);
        }
    }

    private long runsOf(long pid, long afterMicros) {
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM chaos_run WHERE worker LIKE '%@" + pid
                     + "@%' AND started_us > " + afterMicros)) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Figures check(List<Long> ids, int kills, long refused, Instant restoredAt, Set<Long> survivors,
                          Duration took) throws Exception {
        Map<Long, List<long[]>> runs = new TreeMap<>();
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT job_id, started_us, finished_us FROM chaos_run")) {
            while (rows.next()) {
                runs.computeIfAbsent(rows.getLong(1), id -> new ArrayList<>())
                        .add(new long[] {rows.getLong(2), rows.getLong(3)});
            }
        }
        List<JobRequest> finished = new ArrayList<>();
        for (long id : ids) {
            finished.add(store.find(id).orElseThrow(() -> new AssertionError("job request " + id + " vanished")));
        }
        assertThat(finished).as("every dispatched job succeeded").allSatisfy(request ->
                assertThat(request.status()).as("job request %d", request.id()).isEqualTo(JobStatus.SUCCEEDED));
        assertThat(runs.keySet()).as("every job completed a run").containsAll(ids);
        List<String> overlaps = new ArrayList<>();
        runs.forEach((id, list) -> {
            list.sort((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i)[0] < list.get(i - 1)[1]) {
                    overlaps.add("job " + id + ": a run from " + list.get(i)[0] + " µs began before the one before it"
                            + " ended at " + list.get(i - 1)[1] + " µs");
                }
            }
        });
        assertThat(overlaps).as("no two completed runs of one job overlap in time").isEmpty();
        assertThat(restoredAt).as("the database was cut once").isNotNull();
        long completed = runs.values().stream().mapToLong(List::size).sum();
        long runTwice = runs.values().stream().filter(list -> list.size() > 1).count();
        int mostAttempts = finished.stream().mapToInt(JobRequest::attempts).max().orElse(0);
        long retriedAttempts = finished.stream().mapToLong(request -> request.attempts() - 1).sum();
        Figures figures = new Figures(jobs, workers, kills, cutFor, refused, survivors.size(), completed, runTwice,
                retriedAttempts, mostAttempts, took);
        System.out.println(name + " chaos run: " + figures);
        return figures;
    }

    /**
     * What a run measured.
     *
     * @param completedRuns   runs that completed (a run cut short by a kill is not one)
     * @param jobsRunTwice    jobs with more than one completed run, one after the other
     * @param extraAttempts   attempts beyond the first, over all jobs (killed, cut off, abandoned)
     */
    public record Figures(int jobs, int workers, int kills, Duration cut, long connectionsRefusedInCut,
                          int workersThroughCut, long completedRuns, long jobsRunTwice, long extraAttempts,
                          int mostAttempts, Duration took) {
    }
}
