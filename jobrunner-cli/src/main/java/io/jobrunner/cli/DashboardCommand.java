package io.jobrunner.cli;

import io.jobrunner.Setting;
import io.jobrunner.dashboard.JobDashboard;
import io.jobrunner.spi.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobrunner dashboard}: the web dashboard over the store the environment names, until
 * SIGTERM or Ctrl-C. Binds to 127.0.0.1 unless told otherwise; another address needs credentials.
 */
@Command(name = "dashboard", description = "Serve the web dashboard over the store the environment names, on"
        + " 127.0.0.1:8090 unless --host/--port (or JOB_RUNNER_DASHBOARD_HOST/_PORT) say otherwise, until SIGTERM or"
        + " Ctrl-C. An address other machines reach needs JOB_RUNNER_DASHBOARD_TOKEN, or JOB_RUNNER_DASHBOARD_USER"
        + " and JOB_RUNNER_DASHBOARD_PASSWORD.")
final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on (default 8090; 0: any free port)")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        Settings settings = Settings.fromEnvironment();
        Store store = Store.open(settings);
        JobDashboard dashboard;
        try {
            JobDashboard.Builder builder = JobDashboard.builder(store.jobs())
                    .schedules(() -> store.spi().listSchedules())
                    .trigger(name -> SchedulesCommand.dispatchNow(store, settings, name))
                    .settings(settings);
            if (host != null || port != null) {
                builder.bind(host != null ? host : settings.string(Setting.DASHBOARD_HOST),
                        port != null ? port : settings.integer(Setting.DASHBOARD_PORT));
            }
            dashboard = builder.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        spec.commandLine().getOut().printf("Dashboard on %s over %s (Ctrl-C stops it)%n", dashboard.uri(),
                store.description());
        return UntilStopped.await("dashboard", dashboard, store);
    }
}
