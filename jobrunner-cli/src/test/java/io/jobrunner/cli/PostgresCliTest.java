package io.jobrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobLimit;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command run as a process against PostgreSQL, on requests a producer stored and a worker ran. */
class PostgresCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresFixture postgres;
    private JobRequestStore store;
    private JobRunner producer;
    private Map<String, String> environment;

    @BeforeEach
    void open() {
        postgres = PostgresFixture.forTestClass(PostgresCliTest.class);
        store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4, postgres.schema());
        environment = Map.of("DATABASE_URL", postgres.serverUrl(), "JOB_RUNNER_DB_SCHEMA", postgres.schema());
        Map<String, String> producerSettings = new HashMap<>(environment);
        producerSettings.put("JOB_RUNNER", "database");
        producer = JobRunners.builder().environment(producerSettings).handlers(HandlerRegistry.empty()).store(store).build();
    }

    @AfterEach
    void close() {
        producer.close();
        store.close();
        postgres.close();
    }

    private JobRequest dispatch(int number) {
        return producer.dispatchJob(JobData.of(DoubleJob.TYPE, number));
    }

    /** Claims and fails a dispatched request, as a worker whose handler threw would. */
    private JobRequest failed(int number, String error) {
        JobRequest request = dispatch(number);
        JobRequest running = store.claim(request.id(), "test-worker", Duration.ofMinutes(1)).orElseThrow();
        return store.fail(Lease.of(running).orElseThrow(), error).orElseThrow();
    }

    private CliProcess.Result cli(String... args) throws Exception {
        return CliProcess.run(environment, args);
    }

    @Test
    void listShowsRequestsInAlignedColumnsAndFiltersByStatusTypeAndTime() throws Exception {
        JobRequest queued = dispatch(1);
        JobRequest failed = failed(2, "the disk was full");

        CliProcess.Result all = cli("list");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        String[] lines = all.out().split("\n");
        assertThat(lines[0]).startsWith("ID").contains("STATUS", "TYPE", "ATTEMPTS", "CREATED", "MESSAGE");
        assertThat(lines[1]).startsWith(queued.id() + " ").contains("queued", DoubleJob.TYPE, "0/");
        assertThat(lines[2]).startsWith(failed.id() + " ").contains("failed", "1/", "the disk was full");
        assertThat(lines[1].indexOf("queued")).as("aligned").isEqualTo(lines[2].indexOf("failed"));

        CliProcess.Result onlyFailed = cli("list", "--status", "failed", "--json");
        JsonNode array = JSON.readTree(onlyFailed.out());
        assertThat(array).hasSize(1);
        assertThat(array.get(0).get("id").asLong()).isEqualTo(failed.id());
        assertThat(array.get(0).get("lastError").asText()).isEqualTo("the disk was full");
        assertThat(array.get(0).get("payload").asInt()).isEqualTo(2);

        assertThat(JSON.readTree(cli("list", "--finished-since", "1h", "--json").out())).extracting(n -> n.get("id").asLong())
                .containsExactly(failed.id());
        assertThat(JSON.readTree(cli("list", "--created-since", "2099-01-01T00:00:00Z", "--json").out())).isEmpty();
        assertThat(JSON.readTree(cli("list", "--type", "other", "--json").out())).isEmpty();
        CliProcess.Result page = cli("list", "--limit", "1");
        assertThat(page.out()).contains("the next page: --after " + queued.id());
        assertThat(cli("list", "--after", String.valueOf(queued.id())).out()).contains("the disk was full")
                .doesNotContain(" queued ");
        CliProcess.Result newest = cli("list", "--newest-first", "--limit", "1");
        assertThat(newest.out().split("\n")[1]).startsWith(failed.id() + " ");
        assertThat(newest.out()).contains("the next page: --after " + failed.id() + " --newest-first");
        assertThat(cli("list", "-r", "--after", String.valueOf(failed.id())).out().split("\n")[1])
                .startsWith(queued.id() + " ");
    }

    @Test
    void showPrintsFieldsHistoryAndTheWholeError() throws Exception {
        JobRequest failed = failed(3, "first line\n\tat some.Frame(Frame.java:1)");

        CliProcess.Result shown = cli("show", String.valueOf(failed.id()));

        assertThat(shown.exitCode()).as(shown.toString()).isZero();
        assertThat(shown.out()).contains("id         " + failed.id(), "status     failed", "attempts   1 of",
                "payload    3", "ATTEMPT", "test-worker", "last error:\nfirst line\n\tat some.Frame(Frame.java:1)");
        JsonNode json = JSON.readTree(cli("show", String.valueOf(failed.id()), "--json").out());
        assertThat(json.get("history").get(0).get("outcome").asText()).isEqualTo("failed");
        assertThat(json.get("history").get(0).get("worker").asText()).isEqualTo("test-worker");
        assertThat(json.get("traceParent").isNull()).as("dispatched untraced").isTrue();
    }

    @Test
    void listShowAndBatchShowWaitingJobsTheirDependenciesAndABatchsProgress() throws Exception {
        JobRequest first = dispatch(7);
        JobRequest waiting = producer.dispatchJob(JobData.builder(DoubleJob.TYPE).payload(8).after(first.id()).build());
        io.jobrunner.JobBatch.Dispatched batch = producer.dispatchBatch(io.jobrunner.JobBatch.of(List.of(
                JobData.of(DoubleJob.TYPE, 1), JobData.of(DoubleJob.TYPE, 2))).onComplete(JobData.of(DoubleJob.TYPE, 3)));
        failed(9, "unrelated");
        JobRequest member = store.claim(batch.members().get(0).id(), "test-worker", Duration.ofMinutes(1)).orElseThrow();
        store.succeed(Lease.of(member).orElseThrow(), null, null);

        assertThat(cli("list", "--status", "waiting").out()).contains(waiting.id() + " ", "waiting")
                .doesNotContain(first.id() + " ");
        CliProcess.Result shown = cli("show", String.valueOf(waiting.id()));
        assertThat(shown.out()).contains("status     waiting",
                "after      [" + first.id() + "] (runs when all succeeded; waiting for 1 of them)");
        JsonNode json = JSON.readTree(cli("show", String.valueOf(waiting.id()), "--json").out());
        assertThat(json.get("dependencies").get(0).asLong()).isEqualTo(first.id());
        assertThat(json.get("waitingOn").asInt()).isEqualTo(1);
        assertThat(cli("show", String.valueOf(batch.members().get(1).id())).out())
                .contains("batch      Batch " + batch.id() + ": 1 of 2 done (1 succeeded, 0 failed, 0 cancelled)");

        CliProcess.Result progress = cli("batch", String.valueOf(batch.id()));
        assertThat(progress.exitCode()).as(progress.toString()).isZero();
        assertThat(progress.out()).contains("1 of 2 done", "pending    1",
                "callback   " + batch.callbacks().get(0).id() + " " + DoubleJob.TYPE + " (waiting, runs when all finished)");
        JsonNode progressJson = JSON.readTree(cli("batch", String.valueOf(batch.id()), "--json").out());
        assertThat(progressJson.get("succeeded").asInt()).isEqualTo(1);
        assertThat(progressJson.get("total").asInt()).isEqualTo(2);
        assertThat(progressJson.get("finished").asBoolean()).isFalse();
        CliProcess.Result unknown = cli("batch", "987654");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no batch 987654");
        assertThat(cli("stats").out()).contains("WAITING");
    }

    @Test
    void showPrintsTheTraceItsDispatchBelongedTo() throws Exception {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        JobRequest traced = store.insert(new io.jobrunner.spi.store.NewJobRequest(DoubleJob.TYPE, null, "6", null, null,
                1, "database").withTraceParent(trace)).request();

        assertThat(cli("show", String.valueOf(traced.id())).out()).contains("trace      " + trace);
        assertThat(JSON.readTree(cli("show", String.valueOf(traced.id()), "--json").out()).get("traceParent").asText())
                .isEqualTo(trace);
    }

    @Test
    void retryQueuesFailedRequestsAgainAndRefusesOthersWithExitCodeOne() throws Exception {
        JobRequest failed = failed(4, "boom");
        JobRequest queued = dispatch(5);

        CliProcess.Result retried = cli("retry", String.valueOf(failed.id()));
        assertThat(retried.exitCode()).as(retried.toString()).isZero();
        assertThat(retried.out()).contains(failed.id() + ": queued again");
        assertThat(store.find(failed.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

        CliProcess.Result refused = cli("retry", String.valueOf(queued.id()), "987654");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains(queued.id() + ": not retried: it is queued", "987654: no such job request");
    }

    @Test
    void cancelCancelsAQueuedRequestAndSaysWhenOneAlreadyFinished() throws Exception {
        JobRequest queued = dispatch(6);
        JobRequest failed = failed(7, "boom");

        CliProcess.Result cancelled = cli("cancel", String.valueOf(queued.id()), String.valueOf(failed.id()));

        assertThat(cancelled.exitCode()).isEqualTo(1);
        assertThat(cancelled.out()).contains(queued.id() + ": cancelled");
        assertThat(cancelled.err()).contains(failed.id() + ": not cancelled: it already failed");
        assertThat(store.find(queued.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void purgeDeletesOnlyFinishedRequestsOlderThanTheAgeGiven() throws Exception {
        JobRequest queued = dispatch(8);
        failed(9, "boom");

        CliProcess.Result kept = cli("purge", "--older-than", "1h");
        assertThat(kept.out()).contains("Deleted 0 finished job requests");
        CliProcess.Result purged = cli("purge", "--older-than", "0s");

        assertThat(purged.exitCode()).as(purged.toString()).isZero();
        assertThat(purged.out()).contains("Deleted 1 finished job request ");
        assertThat(store.list(JobQuery.all())).extracting(JobRequest::id).containsExactly(queued.id());
    }

    @Test
    void statsCountsByStatusAndTypeWithTheOldestQueuedAndTheLastHoursFailures() throws Exception {
        JobRequest oldest = dispatch(10);
        dispatch(11);
        failed(12, "boom");

        CliProcess.Result stats = cli("stats");
        assertThat(stats.exitCode()).as(stats.toString()).isZero();
        assertThat(stats.out()).contains("QUEUED", "oldest queued: " + oldest.id() + " (" + DoubleJob.TYPE + ")",
                "failed in the last hour: 1");
        JsonNode json = JSON.readTree(cli("stats", "--json").out());
        assertThat(json.get("byStatus").get("queued").asLong()).isEqualTo(2);
        assertThat(json.get("byType").get(DoubleJob.TYPE).get("failed").asLong()).isEqualTo(1);
        assertThat(json.get("oldestQueued").get("id").asLong()).isEqualTo(oldest.id());
        assertThat(json.get("failedLastHour").asLong()).isEqualTo(1);
    }

    @Test
    void schedulesListsRecurringJobsAndTriggerDispatchesOneNowForTheConfiguredRunner() throws Exception {
        producer.schedules().define(RecurringJob.builder("nightly-double").schedule("0 3 * * *")
                .job(JobData.of(DoubleJob.TYPE, 50)).build());

        CliProcess.Result listed = cli("schedules");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.out()).contains("NAME", "NEXT RUN", "nightly-double", "0 3 * * *", DoubleJob.TYPE, "in ");

        Map<String, String> databaseRunner = new HashMap<>(environment);
        databaseRunner.put("JOB_RUNNER", "database");
        CliProcess.Result triggered = CliProcess.run(databaseRunner, "schedules", "trigger", "nightly-double");
        assertThat(triggered.exitCode()).as(triggered.toString()).isZero();
        JobRequest dispatched = store.list(JobQuery.all().withJobType(DoubleJob.TYPE)).get(0);
        assertThat(triggered.out()).contains("as job request " + dispatched.id() + " (runner database)");
        assertThat(dispatched.payloadJson()).isEqualTo("50");
        assertThat(dispatched.status()).isEqualTo(JobStatus.QUEUED);

        CliProcess.Result unknown = cli("schedules", "trigger", "weekly");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("No recurring job named 'weekly'");
    }

    @Test
    void pauseAndResumeHoldAJobTypeAQueueAndARecurringJobAndStatsAndListsShowThem() throws Exception {
        JobRequest urgent = producer.dispatchJob(JobData.builder(DoubleJob.TYPE).payload(1).priority(30).build());
        producer.dispatchJob(JobData.builder("other").payload(2).queue("reports").build());
        producer.schedules().define(RecurringJob.builder("nightly-double").schedule("0 3 * * *")
                .job(JobData.of(DoubleJob.TYPE, 50)).build());

        CliProcess.Result paused = cli("pause", "--type", DoubleJob.TYPE);
        assertThat(paused.exitCode()).as(paused.toString()).isZero();
        assertThat(paused.out()).contains("job type " + DoubleJob.TYPE + " paused");
        assertThat(cli("pause", "--type", DoubleJob.TYPE).out()).contains("was paused already");
        assertThat(cli("pause", "--queue", "reports").out()).contains("queue reports paused");
        assertThat(store.claim(urgent.id(), "w", Duration.ofMinutes(1))).as("no claim takes it").isEmpty();

        store.defineLimits(List.of(new JobLimit("other", 2, 1, 0)));
        CliProcess.Result stats = cli("stats");
        assertThat(stats.out()).contains("limited: other, 0 running of at most 2, at most 1 per key");
        assertThat(stats.out()).contains("paused: queue reports", "holding 1 queued", "'jobrunner resume --queue reports'",
                "paused: job type " + DoubleJob.TYPE);
        JsonNode pauses = JSON.readTree(cli("stats", "--json").out()).get("paused");
        assertThat(pauses).extracting(n -> n.get("name").asText()).containsExactly("reports", DoubleJob.TYPE);
        assertThat(cli("list").out()).contains("PRIO").contains(" 30 ");
        assertThat(cli("show", String.valueOf(urgent.id())).out()).contains("priority   30");

        CliProcess.Result schedulePaused = cli("pause", "--schedule", "nightly-double");
        assertThat(schedulePaused.out()).contains("recurring job nightly-double paused");
        assertThat(cli("schedules").out()).contains("paused");
        assertThat(store.findSchedule("nightly-double").orElseThrow().paused()).isTrue();
        CliProcess.Result scheduleResumed = cli("resume", "--schedule", "nightly-double");
        assertThat(scheduleResumed.out()).contains("recurring job nightly-double resumed; next run at");
        assertThat(store.findSchedule("nightly-double").orElseThrow().paused()).isFalse();

        assertThat(cli("resume", "--type", DoubleJob.TYPE).out()).contains("job type " + DoubleJob.TYPE + " resumed");
        assertThat(cli("resume", "--type", DoubleJob.TYPE).out()).contains("was not paused");
        assertThat(store.claim(urgent.id(), "w", Duration.ofMinutes(1))).isPresent();
        assertThat(store.paused()).extracting(p -> p.pause().name()).containsExactly("reports");

        CliProcess.Result neither = cli("pause");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("--queue", "--type", "--schedule");
        CliProcess.Result unknown = cli("resume", "--schedule", "weekly");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("No recurring job named 'weekly'");
    }

    @Test
    void badInputExitsWithTwoAndNamesTheFix() throws Exception {
        CliProcess.Result status = cli("list", "--status", "done");
        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.err()).contains("Unknown status 'done'", "queued, running, succeeded, failed or cancelled");

        CliProcess.Result age = cli("purge", "--older-than", "fortnight");
        assertThat(age.exitCode()).isEqualTo(2);
        assertThat(age.err()).contains("'fortnight'", "14d");

        CliProcess.Result unknown = cli("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("frobnicate");

        CliProcess.Result missing = cli("show", "42");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no job request 42");
    }

    @Test
    void workerRunsTheJobsOfTheHandlersOnItsClassPathUntilSigterm(@TempDir Path classes) throws Exception {
        Path services = classes.resolve("META-INF/services/io.jobrunner.JobHandler");
        Files.createDirectories(services.getParent());
        Files.writeString(services, DoubleJob.class.getName() + "\n");
        JobRequest ok = dispatch(21);
        JobRequest bad = dispatch(-1);
        Map<String, String> workerSettings = new HashMap<>(environment);
        workerSettings.put("JOB_RUNNER", "database");
        workerSettings.put("JOB_RUNNER_RETRY_BASE_DELAY", "10ms");
        workerSettings.put("JOB_RUNNER_RETRY_MAX_DELAY", "20ms");

        CliProcess worker = CliProcess.start(workerSettings, "worker", "--class-path", classes.toString());
        try {
            assertThat(producer.jobs().await(ok.id(), Duration.ofSeconds(30))).map(JobRequest::resultJson).contains("42");
            JobRequest settled = store.find(bad.id()).orElseThrow();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!settled.status().isFinished() && System.nanoTime() < until) {
                Thread.sleep(50);
                settled = store.find(bad.id()).orElseThrow();
            }
            assertThat(settled.lastError()).contains("cannot double <b>-1</b>");
        } finally {
            int exit = worker.terminate();
            assertThat(exit).as(worker.output()).isIn(0, 143);
        }
        assertThat(worker.output()).contains("takes job types [" + DoubleJob.TYPE + "]");
    }

    @Test
    void workerUntilEmptyRunsWhatIsDueThenExitsAndLeavesWhatIsDueLater() throws Exception {
        List<JobRequest> due = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            due.add(dispatch(i));
        }
        JobRequest later = producer.dispatchJob(JobData.builder(DoubleJob.TYPE).payload(99)
                .runAt(Instant.now().plusSeconds(3600)).build());
        Map<String, String> workerSettings = new HashMap<>(environment);
        workerSettings.put("JOB_RUNNER", "database");

        CliProcess.Result drained = CliProcess.run(workerSettings, "worker", "--handlers", TriplingHandlers.class.getName(),
                "--until-empty");

        assertThat(drained.exitCode()).as(drained.toString()).isZero();
        assertThat(drained.out()).contains("took 30 jobs; nothing due is left, exiting");
        for (JobRequest request : due) {
            assertThat(store.find(request.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        }
        assertThat(store.find(later.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(cli("workers").out()).as("it unregistered as it exited").contains("No workers registered");
    }

    @Test
    void workerRunsTheHandlersAHandlerSourceBuildsInCode() throws Exception {
        JobRequest job = dispatch(21);
        Map<String, String> workerSettings = new HashMap<>(environment);
        workerSettings.put("JOB_RUNNER", "database");

        CliProcess worker = CliProcess.start(workerSettings, "worker", "--handlers", TriplingHandlers.class.getName());
        try {
            assertThat(producer.jobs().await(job.id(), Duration.ofSeconds(30))).map(JobRequest::resultJson)
                    .as("built by the source, with its factor: not the doubling handler of META-INF/services")
                    .contains("63");
            CliProcess.Result workers = cli("workers");
            assertThat(workers.exitCode()).as(workers.toString()).isZero();
            assertThat(workers.out()).contains("ID", "RUNNER", "LIVE", "db-worker@", "database", "yes", DoubleJob.TYPE,
                    "(all)", "1 of 1 live");
            JsonNode listed = new ObjectMapper().readTree(cli("workers", "--json").out()).get(0);
            assertThat(listed.get("runner").asText()).isEqualTo("database");
            assertThat(listed.get("live").asBoolean()).isTrue();
            assertThat(listed.get("jobTypes").get(0).asText()).isEqualTo(DoubleJob.TYPE);
        } finally {
            worker.terminate();
        }
        assertThat(cli("workers").out()).as("a worker stopped by SIGTERM removes its row")
                .contains("No workers registered", "jobrunner worker");

        CliProcess.Result notASource = CliProcess.run(workerSettings, "worker", "--handlers", DoubleJob.class.getName());
        assertThat(notASource.exitCode()).as("a wrong --handlers is a usage error").isEqualTo(2);
        assertThat(notASource.err()).contains("does not implement io.jobrunner.HandlerSource");
    }

    @Test
    void workerRefusesARunnerWithoutWorkersAndAClassPathWithoutHandlers(@TempDir Path empty) throws Exception {
        Map<String, String> inProcess = new HashMap<>(environment);
        inProcess.put("JOB_RUNNER", "inprocess-async");
        CliProcess.Result refused = CliProcess.run(inProcess, "worker", "--class-path", classesWithHandler(empty));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("JOB_RUNNER=database, legacy or sqs", "'inprocess-async'");

        CliProcess.Result missing = CliProcess.run(Map.of("JOB_RUNNER", "database"), "worker", "--class-path",
                empty.resolve("nope.jar").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jar' does not exist");
    }

    private static String classesWithHandler(Path directory) throws Exception {
        Path services = directory.resolve("META-INF/services/io.jobrunner.JobHandler");
        Files.createDirectories(services.getParent());
        Files.writeString(services, DoubleJob.class.getName() + "\n");
        return directory.toString();
    }
}
