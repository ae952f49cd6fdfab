package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobGraph;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.ChaosJob;
import io.jobrunner.testkit.ContractEffects;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A workflow of 1,000 jobs — one root, nine fan-outs of 109 or 110 jobs each closed by a fan-in, and a
 * final fan-in of the nine — run by two database worker processes, one of them killed with SIGKILL
 * once a third of the jobs succeeded (a replacement starts). Every job must succeed, each must start
 * only after every job it depends on finished, and a job runs twice only when its first run
 * completed on the killed worker without its success being stored.
 */
class WorkflowChaosTest {

    private static final int BRANCHES = 9;
    private static final int LEAVES = 110;

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(WorkflowChaosTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Test
    void aThousandJobWorkflowRunsEachJobOnceInDependencyOrderThroughASigkill() throws Exception {
        postgres.execute(ChaosJob.TABLE);
        Map<String, String> workerSettings = new HashMap<>(Map.of(
                "JOB_RUNNER", "database",
                "JOB_RUNNER_LEASE_TIME", "3s",
                "JOB_RUNNER_RECOVERY_INTERVAL", "1s",
                "JOB_RUNNER_POLL_INTERVAL", "500ms",
                "JOB_RUNNER_WORKER_TYPES", ChaosJob.TYPE,
                "JOB_RUNNER_CONCURRENCY", "8",
                "DATABASE_URL", postgres.serverUrlThrough(postgres.host(), postgres.port()),
                "JOB_RUNNER_DB_SCHEMA", postgres.schema(),
                ContractEffects.URL_VARIABLE, postgres.jdbcUrl()));
        Random random = new Random(11);
        JobGraph graph = JobGraph.create();
        JobGraph.Step root = graph.add(job(random));
        List<JobGraph.Step> fanIns = new ArrayList<>();
        for (int b = 0; b < BRANCHES; b++) {
            List<JobGraph.Step> leaves = new ArrayList<>();
            for (int i = 0; i < (b == 0 ? LEAVES - 1 : LEAVES); i++) {  // 1 + 110 + 8 × 111 + 1 = 1,000
                leaves.add(graph.add(job(random), root));
            }
            fanIns.add(graph.add(job(random), leaves));
        }
        graph.add(job(random), fanIns);
        assertThat(graph.size()).isEqualTo(1_000);

        List<ChildJvm> all = new ArrayList<>();
        try (JobRequestStore store = PostgresStores.openEmpty(postgres);
             JobRunner producer = JobRunners.builder().environment(Map.of("JOB_RUNNER", "database"))
                     .handlers(HandlerRegistry.empty()).store(store).build()) {
            ChildJvm first = start(workerSettings, all);
            ChildJvm second = start(workerSettings, all);
            List<JobRequest> dispatched = producer.dispatchGraph(graph);
            Await.until("a third of the workflow succeeded", Duration.ofMinutes(3),
                    () -> store.count(JobQuery.all().withStatus(JobStatus.SUCCEEDED)) >= 333);
            ChildJvm victim = random.nextBoolean() ? first : second;
            victim.kill();
            start(workerSettings, all);
            Await.until("the workflow finished", Duration.ofMinutes(5),
                    () -> store.count(JobQuery.all().withStatus(JobStatus.WAITING, JobStatus.QUEUED, JobStatus.RUNNING)) == 0);

            Map<Long, JobRequest> finished = new TreeMap<>();
            for (JobRequest request : dispatched) {
                finished.put(request.id(), store.find(request.id()).orElseThrow());
            }
            assertThat(finished.values()).allSatisfy(request ->
                    assertThat(request.status()).as("job %d", request.id()).isEqualTo(JobStatus.SUCCEEDED));
            Map<Long, List<long[]>> runs = completedRuns();
            List<String> outOfOrder = new ArrayList<>();
            int runTwice = 0;
            for (JobGraph.Step step : graph.steps()) {
                long id = dispatched.get(step.index()).id();
                List<long[]> own = runs.get(id);
                assertThat(own).as("job %d completed a run", id).isNotEmpty();
                if (own.size() > 1) {
                    runTwice++;
                    assertThat(own).as("job %d ran twice only after a run on the killed worker", id).hasSize(2);
                    assertThat(workerOf(id, own.get(0))).contains("@" + victim.pid() + "@");
                }
                for (int before : step.after()) {
                    long dependency = dispatched.get(before).id();
                    long dependencyEnd = runs.get(dependency).stream().mapToLong(run -> run[1]).max().orElseThrow();
                    if (own.get(0)[0] < dependencyEnd) {
                        outOfOrder.add("job " + id + " started at " + own.get(0)[0] + " µs, before job " + dependency
                                + " ended at " + dependencyEnd + " µs");
                    }
                    assertThat(finished.get(id).startedAt()).isAfterOrEqualTo(finished.get(dependency).finishedAt());
                }
            }
            assertThat(outOfOrder).as("no job started before a job it depends on ended").isEmpty();
            System.out.println("Workflow chaos run: 1,000 jobs, 2 workers (one SIGKILLed at a third, pid " + victim.pid()
                    + ", and replaced); every job succeeded in dependency order; " + runTwice
                    + " ran a second time after their first run completed on the killed worker unrecorded");
        } finally {
            for (ChildJvm worker : all) {
                if (worker.isAlive()) {
                    worker.kill();
                }
                worker.close();
            }
        }
    }

    private static JobData job(Random random) {
        return JobData.builder(ChaosJob.TYPE).payload(5 + random.nextInt(40)).maxAttempts(ChaosJob.MAX_ATTEMPTS).build();
    }

    private static ChildJvm start(Map<String, String> settings, List<ChildJvm> all) {
        ChildJvm worker = ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx256m"));
        all.add(worker);
        return worker;
    }

    /** Each job's completed runs, {start µs, end µs}, in start order. */
    private static Map<Long, List<long[]>> completedRuns() throws Exception {
        Map<Long, List<long[]>> runs = new HashMap<>();
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT job_id, started_us, finished_us FROM chaos_run"
                     + " ORDER BY started_us")) {
            while (rows.next()) {
                runs.computeIfAbsent(rows.getLong(1), id -> new ArrayList<>()).add(new long[] {rows.getLong(2), rows.getLong(3)});
            }
        }
        return runs;
    }

    private static String workerOf(long id, long[] run) throws Exception {
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT worker FROM chaos_run WHERE job_id = " + id
                     + " AND started_us = " + run[0])) {
            rows.next();
            return rows.getString(1);
        }
    }
}
