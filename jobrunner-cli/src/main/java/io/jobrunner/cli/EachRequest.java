package io.jobrunner.cli;

import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command that acts on each request it names, says what became of each, and fails if any was refused. */
abstract class EachRequest implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "the requests' ids")
    List<Long> ids;

    /** Acts on one request; empty when it refused (unknown, or in a state the action does not apply to). */
    abstract Optional<JobRequest> act(JobRequests jobs, long id);

    /** What happened, for a request it acted on. */
    abstract String done(JobRequest after);

    /** Why it refused a request that exists. */
    abstract String refused(JobRequest current);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int refusals = 0;
        try (Store store = Store.open()) {
            for (long id : ids) {
                Optional<JobRequest> after = act(store.jobs(), id);
                if (after.isPresent()) {
                    out.println(id + ": " + done(after.get()));
                } else {
                    refusals++;
                    Optional<JobRequest> current = store.jobs().find(id);
                    err.println(id + ": " + (current.isPresent() ? refused(current.get())
                            : "no such job request in " + store.description()));
                }
            }
        }
        return refusals == 0 ? 0 : JobRunnerCli.FAILED;
    }
}
