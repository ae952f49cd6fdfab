package io.jobrunner.lambda;

import io.jobrunner.JobRequest;
import io.jobrunner.MalformedMessageException;
import io.jobrunner.PayloadException;
import io.jobrunner.TaskFailedException;
import io.jobrunner.TaskHandler;
import io.jobrunner.spi.ExecutionOutcome;
import java.time.Instant;
import java.util.Optional;

/** One attempt at a task or a job inside the function, shared by every kind of event. */
final class JobRuns {

    /** How a job's message or event ended: the request as it stands, and whether this attempt ran it. */
    record JobRun(JobRequest request, ExecutionOutcome.Result result) {
    }

    private final FunctionRuntime runtime;

    JobRuns(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    /** Runs a task; its failure is thrown as {@link TaskFailedException}. */
    void runTask(String taskName, String payloadJson) {
        TaskHandler<?> handler = runtime.handlers().requireTask(taskName);
        try {
            runTyped(handler, payloadJson);
        } catch (PayloadException e) {
            throw e;
        } catch (Exception e) {
            throw new TaskFailedException(taskName, e);
        }
    }

    private <P> void runTyped(TaskHandler<P> handler, String payloadJson) throws Exception {
        handler.run(runtime.codec().decode(handler.name(), payloadJson, handler.payloadType()));
    }

    /**
     * Claims and runs one attempt. Empty result when the claim was refused; the request is then
     * returned as it stands (finished, held by another lease, or not due).
     */
    JobRun runOnce(long jobId, Instant deadline) {
        Optional<JobRequest> claimed = runtime.store().claim(jobId, runtime.owner(), runtime.context().leaseTime());
        if (claimed.isEmpty()) {
            JobRequest current = runtime.store().find(jobId).orElseThrow(() -> new MalformedMessageException(
                    "job request " + jobId + " does not exist (purged, or sent to the wrong function)", "{\"jobId\":" + jobId + "}"));
            return new JobRun(current, null);
        }
        ExecutionOutcome outcome = runtime.executor().execute(claimed.get(), deadline);
        JobRequest after = outcome.request() != null ? outcome.request() : runtime.store().find(jobId).orElseThrow();
        return new JobRun(after, outcome.result());
    }
}
