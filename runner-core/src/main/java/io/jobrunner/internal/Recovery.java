package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery step every kind of worker runs: a request whose lease expired mid-run (its worker
 * died, or the platform cut it short) with no attempts left is marked failed, with outcome
 * {@code abandoned}. Those with attempts left are taken over by the next claim, or queued again by
 * the {@link HandOffSweep} where no redelivery brings them back.
 */
public final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    /** Fails the abandoned requests with no attempts left, logging each; returns how many. */
    public static int failAbandoned(JobRequestStore store) {
        List<JobRequest> failed = store.failAbandoned();
        for (JobRequest request : failed) {
            log.warn("Job request {} ({}) was abandoned mid-run with no attempts left and is now failed",
                    request.id(), request.jobType());
        }
        return failed.size();
    }
}
