package io.jobrunner.cli;

import io.jobrunner.dashboard.JobJson;
import io.jobrunner.spi.store.StoreCheck;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code jobrunner check}: the store's own consistency check (SQLite's {@code integrity_check} on the
 * embedded store) and every request and schedule read whole. Exit 1 when anything is wrong.
 */
@Command(name = "check", description = "Check the store: on the embedded store SQLite's integrity_check (every page,"
        + " index and constraint), then every job request and schedule read whole. Changes nothing; exits 1 when"
        + " anything is wrong, naming the rows and the way out. Slow on a large store.")
final class CheckCommand extends StoreReport {

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        StoreCheck check = store.spi().check();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("store", store.description());
            report.put("ok", check.ok());
            report.put("checked", check.checked());
            report.put("problems", check.problems());
            out.println(JobJson.write(report));
        } else {
            out.println("Checked " + store.description() + ":");
            check.checked().forEach(line -> out.println("  " + line));
            if (check.ok()) {
                out.println("No problems found.");
            } else {
                out.println(check.problems().size() + (check.problems().size() == 1 ? " problem:" : " problems:"));
                check.problems().forEach(line -> out.println("  " + Printable.line(line)));
            }
        }
        return check.ok() ? 0 : JobRunnerCli.FAILED;
    }
}
