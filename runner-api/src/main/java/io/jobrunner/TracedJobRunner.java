package io.jobrunner;

import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * A runner whose dispatches are spans of its {@link JobTracer}: each dispatch call is one span, current
 * while the runner encodes, stores and hands off the work, so every job and task it dispatches carries
 * that span's context ({@link JobTracer#traceParent()}). Wraps whichever runner the provider built, so
 * no runner traces on its own; the rest passes straight through. Thread-safe as the runner is.
 */
final class TracedJobRunner implements JobRunner {

    private final JobRunner runner;
    private final JobTracer tracer;

    TracedJobRunner(JobRunner runner, JobTracer tracer) {
        this.runner = runner;
        this.tracer = tracer;
    }

    @Override
    public void dispatchTask(String taskName, Object payload) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.TASK, taskName, 1)) {
            traced(span, () -> {
                runner.dispatchTask(taskName, payload);
                return null;
            });
        }
    }

    @Override
    public void dispatchTasks(String taskName, List<?> payloads) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.TASK, taskName, payloads.size())) {
            traced(span, () -> {
                runner.dispatchTasks(taskName, payloads);
                return null;
            });
        }
    }

    @Override
    public JobRequest dispatchJob(JobData data) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.JOB, data.jobType(), 1)) {
            return traced(span, () -> runner.dispatchJob(data));
        }
    }

    @Override
    public JobRequest dispatchJob(Connection connection, JobData data) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.JOB, data.jobType(), 1)) {
            return traced(span, () -> runner.dispatchJob(connection, data));
        }
    }

    @Override
    public List<JobRequest> dispatchJobs(List<JobData> jobs) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.JOB, typeOf(jobs), jobs.size())) {
            return traced(span, () -> runner.dispatchJobs(jobs));
        }
    }

    @Override
    public List<JobRequest> dispatchGraph(JobGraph graph) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.JOB, "graph", graph.size())) {
            return traced(span, () -> runner.dispatchGraph(graph));
        }
    }

    @Override
    public JobBatch.Dispatched dispatchBatch(JobBatch batch) {
        try (JobTracer.Span span = tracer.dispatch(JobTracer.Work.JOB, "batch", batch.members().size())) {
            return traced(span, () -> runner.dispatchBatch(batch));
        }
    }

    /** The job type of a bulk dispatch, or {@code "jobs"} when it holds several. */
    private static String typeOf(List<JobData> jobs) {
        String type = jobs.isEmpty() ? "jobs" : jobs.get(0).jobType();
        for (JobData job : jobs) {
            if (!job.jobType().equals(type)) {
                return "jobs";
            }
        }
        return type;
    }

    private static <T> T traced(JobTracer.Span span, Supplier<T> dispatch) {
        try {
            return dispatch.get();
        } catch (RuntimeException | Error e) {
            span.failed(e);
            throw e;
        }
    }

    @Override
    public String name() {
        return runner.name();
    }

    @Override
    public boolean fullyConfigured() {
        return runner.fullyConfigured();
    }

    @Override
    public Readiness readiness() {
        return runner.readiness();
    }

    @Override
    public void handOff(Collection<JobRequest> requests) {
        runner.handOff(requests);
    }

    @Override
    public JobRequests jobs() {
        return runner.jobs();
    }

    @Override
    public JobSchedules schedules() {
        return runner.schedules();
    }

    @Override
    public void close() {
        runner.close();
    }

    @Override
    public String toString() {
        return runner.toString();
    }
}
