package io.jobrunner.inprocess;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import java.time.Instant;
import java.util.Map;

/**
 * A separate process that dispatches jobs on the default runner and embedded store, as fast as it
 * can, printing each id as soon as {@code dispatchJob} returned it, until it is killed. The jobs
 * are due in an hour so that nothing else touches them. Argument: the store's directory.
 */
public final class DispatchingProcess {

    private DispatchingProcess() {
    }

    public static void main(String[] args) {
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("later", Integer.class, (n, context) -> n))
                .build();
        JobRunner runner = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER_EMBEDDED_DIR", args[0], "JOB_RUNNER_SCHEDULER", "off"))
                .handlers(handlers)
                .build();
        for (int n = 0; ; n++) {
            long id = runner.dispatchJob(JobData.builder("later").payload(n).runAt(Instant.now().plusSeconds(3600))
                    .build()).id();
            System.out.println("dispatched " + id);
            System.out.flush();
        }
    }
}
