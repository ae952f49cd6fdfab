package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A rate limit held over minutes: no-op jobs of a type limited to N starts in any minute (default
 * 1,000), more dispatched than the run can start, taken by two database worker processes of 8 threads
 * each. Reports the starts in the run's first {@code minutes} from the first start against N per
 * minute, and the most starts in any 60-second window (sliding, over every start).
 *
 * <p>Arguments: minutes (default 5), starts per minute (default 1000).
 */
public final class RateLimitBenchmark {

    private RateLimitBenchmark() {
    }

    private static void report(String what, PostgresFixture postgres, String query, int minutes, int perMinute)
            throws Exception {
        List<Long> starts = new ArrayList<>();
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT cast(extract(epoch FROM t) * 1000000 AS bigint) FROM (" + query
                     + ") AS q ORDER BY 1")) {
            while (rows.next()) {
                starts.add(rows.getLong(1));
            }
        }
        long end = starts.get(0) + minutes * 60_000_000L;
        long inRun = starts.stream().filter(start -> start < end).count();
        int most = 0;
        for (int i = 0, j = 0; i < starts.size(); i++) {
            while (j < starts.size() && starts.get(j) < starts.get(i) + 60_000_000L) {
                j++;
            }
            most = Math.max(most, j - i);
        }
        double ratio = inRun / (double) (perMinute * minutes);
        System.out.printf(Locale.ROOT, "%s: %,d started in %d minutes from the first (%.4f of %,d; within 1%%: %s);"
                        + " most in any 60 s window %,d (limit %,d: %s)%n", what, inRun, minutes, ratio, perMinute * minutes,
                Math.abs(ratio - 1) <= 0.01 ? "yes" : "NO", most, perMinute, most <= perMinute ? "held" : "EXCEEDED");
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perMinute = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(RateLimitBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 4,
                     postgres.schema())) {
            Map<String, String> settings = new HashMap<>(Map.of("JOB_RUNNER", "database", "DATABASE_URL",
                    postgres.serverUrl(), "JOB_RUNNER_DB_SCHEMA", postgres.schema(), "JOB_RUNNER_POLL_INTERVAL", "100ms",
                    "JOB_RUNNER_WORKER_TYPES", RatedNoopJob.TYPE, "RATED_NOOP_PER_MINUTE", String.valueOf(perMinute)));
            // every start the limiter records, kept (the recovery pass deletes job_start rows past their window)
            postgres.execute("CREATE TABLE start_log (started_at timestamptz NOT NULL)");
            postgres.execute("CREATE FUNCTION log_start() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO start_log"
                    + " VALUES (NEW.started_at); RETURN NULL; END'");
            postgres.execute("CREATE TRIGGER log_start AFTER INSERT ON job_start FOR EACH ROW EXECUTE FUNCTION log_start()");
            List<ChildJvm> workers = new ArrayList<>();
            try (JobRunner producer = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty())
                    .store(store).build()) {
                for (int i = 0; i < 2; i++) {
                    workers.add(ChildJvm.start(RatedWorkerMain.class.getName(), settings, List.of("-Xmx256m")));
                }
                int jobs = perMinute * (minutes + 1) + perMinute / 2;
                List<JobData> batch = new ArrayList<>(jobs);
                for (int i = 0; i < jobs; i++) {
                    batch.add(JobData.of(RatedNoopJob.TYPE, i));
                }
                producer.dispatchJobs(batch);
                System.out.printf(Locale.ROOT, "Dispatched %,d jobs limited to %,d starts a minute; running %d minutes…%n",
                        jobs, perMinute, minutes);
                Thread.sleep((minutes * 60L + 15) * 1000);
            } finally {
                for (ChildJvm worker : workers) {
                    worker.terminate(30);
                    worker.close();
                }
            }
            report("the limiter's starts (job_start)", postgres, "SELECT started_at AS t FROM start_log", minutes, perMinute);
            report("the requests' started_at", postgres, "SELECT started_at AS t FROM job_request WHERE started_at IS NOT NULL",
                    minutes, perMinute);
        }
    }
}
