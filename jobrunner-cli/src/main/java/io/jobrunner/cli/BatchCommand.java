package io.jobrunner.cli;

import io.jobrunner.BatchProgress;
import io.jobrunner.dashboard.JobJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jobrunner batch ID}: how far a batch got — its members by outcome — and its callbacks. */
@Command(name = "batch", description = "Show a batch's progress: its members done, failed and running, and its callbacks.")
final class BatchCommand extends StoreReport {

    @Parameters(paramLabel = "ID", description = "the batch's id (JobBatch.Dispatched.id(), or the batch a job shows)")
    long id;

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        Optional<BatchProgress> found = store.jobs().batch(id);
        if (found.isEmpty()) {
            spec.commandLine().getErr().println("jobrunner batch: no batch " + id + " in " + store.description());
            return JobRunnerCli.FAILED;
        }
        BatchProgress batch = found.get();
        if (json) {
            out.println(JobJson.write(JobJson.batch(batch)));
            return 0;
        }
        out.println(batch);
        out.printf("%-10s %d%n", "pending", batch.pending());
        for (long callback : batch.callbackIds()) {
            store.jobs().find(callback).ifPresent(request -> out.printf("%-10s %d %s (%s, %s)%n", "callback",
                    request.id(), request.jobType(), request.status().dbValue(),
                    request.runWhen() == null ? "" : "runs when " + request.runWhen().dbValue().replace('_', ' ')));
        }
        return 0;
    }
}
