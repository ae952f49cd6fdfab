package io.jobrunner.cli;

import io.jobrunner.JobWorker;
import io.jobrunner.dashboard.JobJson;
import io.jobrunner.dashboard.TimeText;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code jobrunner workers}: the database and SQS workers registered in the store, live or lately seen. */
@Command(name = "workers", description = "The database and SQS workers registered in the store: id, runner, host, job"
        + " types, queues, slots, when they started and were last seen, and whether they are live (seen in the last "
        + "30 s). A worker killed without stopping stays listed, not live, for a day.")
final class WorkersCommand extends StoreReport {

    @Override
    int report(Store store, PrintWriter out, Instant now) {
        List<JobWorker> workers = store.jobs().workers();
        if (json) {
            out.println(JobJson.write(JobJson.workers(workers)));
            return 0;
        }
        if (workers.isEmpty()) {
            out.println("No workers registered in " + store.description() + ". Start one with 'jobrunner worker'.");
            return 0;
        }
        Table table = new Table("ID", "RUNNER", "LIVE", "SLOTS", "JOB TYPES", "QUEUES", "STARTED", "LAST SEEN");
        for (JobWorker worker : workers) {
            table.row(worker.id(), worker.runner(), worker.live() ? "yes" : "no", worker.slots(),
                    String.join(",", worker.jobTypes().stream().sorted().toList()),
                    worker.queues().isEmpty() ? "(all)" : String.join(",", worker.queues().stream().sorted().toList()),
                    TimeText.relative(worker.startedAt(), now), TimeText.relative(worker.lastSeenAt(), now));
        }
        table.print(out);
        long live = workers.stream().filter(JobWorker::live).count();
        out.println(live + " of " + workers.size() + " live, in " + store.description());
        return 0;
    }
}
