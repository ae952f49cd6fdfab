package io.jobrunner.cli;

import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code jobrunner retry ID…}: failed or cancelled requests queued again. */
@Command(name = "retry", description = "Queue failed or cancelled job requests again, their history kept, with as many"
        + " attempts again as they had. Database workers take them at once; other runners at their next poll or"
        + " hand-off sweep.")
final class RetryCommand extends EachRequest {

    @Override
    Optional<JobRequest> act(JobRequests jobs, long id) {
        return jobs.retry(id);
    }

    @Override
    String done(JobRequest after) {
        return "queued again (" + after.jobType() + ", attempt " + (after.attempts() + 1) + " of " + after.maxAttempts()
                + ", runner " + after.runner() + ")";
    }

    @Override
    String refused(JobRequest current) {
        return "not retried: it is " + current.status().dbValue() + "; only failed or cancelled requests can be retried";
    }
}
