package io.jobrunner.cli;

import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobStatus;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code jobrunner cancel ID…}: queued requests cancelled, running ones asked to stop. */
@Command(name = "cancel", description = "Cancel job requests: a queued one never runs; a running one is flagged, its"
        + " handler sees it at its next progress call or heartbeat, and it ends cancelled when the handler returns.")
final class CancelCommand extends EachRequest {

    @Override
    Optional<JobRequest> act(JobRequests jobs, long id) {
        return jobs.cancel(id);
    }

    @Override
    String done(JobRequest after) {
        return after.status() == JobStatus.CANCELLED ? "cancelled"
                : "cancel requested; it is " + after.status().dbValue() + " and ends cancelled when its handler returns";
    }

    @Override
    String refused(JobRequest current) {
        return "not cancelled: it already " + current.status().dbValue();
    }
}
