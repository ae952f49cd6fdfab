package io.jobrunner;

import java.time.Duration;

/** An attempt ran longer than its job type's {@link JobPolicy#timeout()}; recorded as its error. */
public class JobTimeoutException extends JobRunnerException {

    public JobTimeoutException(long jobId, String jobType, int attempt, Duration timeout) {
        super("Job " + jobId + " (" + jobType + ") attempt " + attempt + " timed out after " + timeout.toMillis()
                + " ms, the limit of its job policy; it was interrupted. Raise JobPolicy.timeout if the work needs longer");
    }
}
