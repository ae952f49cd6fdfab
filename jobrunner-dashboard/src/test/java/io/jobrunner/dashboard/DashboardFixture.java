package io.jobrunner.dashboard;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real store with an {@code inprocess-async} runner over it, and the dashboard serving it on a
 * free loopback port. Handlers: {@code flaky} fails its first attempt and succeeds after a retry;
 * {@code steps} moves its progress on every 300 ms for as many steps as its payload says, logging
 * each; {@code html} fails with markup in its error.
 */
final class DashboardFixture implements AutoCloseable {

    static final String HTML_ERROR = "<script>window.injected = true</script><b>not bold</b>";

    final JobRequestStore store;
    final JobRunner runner;
    final JobDashboard dashboard;

    private DashboardFixture(JobRequestStore store) {
        this.store = store;
        this.runner = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "inprocess-async", "JOB_RUNNER_RETRY_BASE_DELAY", "100ms"))
                .handlers(handlers())
                .store(store)
                .build();
        this.dashboard = JobDashboard.forRunner(runner).bind("127.0.0.1", 0).start();
    }

    static DashboardFixture onPostgres(PostgresFixture postgres) {
        JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 10, postgres.schema());
        postgres.truncateJobTables();
        return new DashboardFixture(store);
    }

    static DashboardFixture embedded(Path directory) {
        return new DashboardFixture(EmbeddedJobRequestStore.openDirectory(directory));
    }

    String url(String path) {
        return dashboard.uri().resolve(path).toString();
    }

    private static HandlerRegistry handlers() {
        return HandlerRegistry.builder()
                .job(JobHandler.of("flaky", String.class, (name, context) -> {
                    context.log("attempt " + context.attempt() + " for " + name);
                    if (context.attempt() == 1) {
                        throw new IllegalStateException("the first attempt of " + name + " always fails");
                    }
                    return Map.of("greeting", "hello " + name);
                }))
                .job(JobHandler.of("steps", Integer.class, (steps, context) -> {
                    for (int step = 1; step <= steps && !context.isCancelled(); step++) {
                        Thread.sleep(300);
                        context.log("step " + step + " of " + steps);
                        context.progress(step * 100 / steps, "step " + step + " of " + steps);
                    }
                    return steps;
                }))
                .job(JobHandler.of("html", String.class, (text, context) -> {
                    throw new IllegalArgumentException(HTML_ERROR + " " + text);
                }))
                .build();
    }

    @Override
    public void close() {
        dashboard.close();
        runner.close();
        store.close();
    }
}
