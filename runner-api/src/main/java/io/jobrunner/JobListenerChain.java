package io.jobrunner;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of a configuration as one: each call goes to every listener in order, and an
 * exception one throws is logged, never passed to the job's thread. Immutable and thread-safe.
 */
final class JobListenerChain implements JobListener {

    private static final Logger log = LoggerFactory.getLogger(JobListenerChain.class);
    private static final JobListener NONE = new JobListener() {
    };

    private final List<JobListener> listeners;

    private JobListenerChain(List<JobListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    static JobListener of(List<JobListener> listeners) {
        return listeners.isEmpty() ? NONE : new JobListenerChain(listeners);
    }

    private void each(String event, Consumer<JobListener> call) {
        for (JobListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException | LinkageError e) {
                log.warn("Job listener {} failed on {}; the job is not affected: {}", listener.getClass().getName(), event,
                        e.toString());
            }
        }
    }

    @Override
    public void opened(String runner, JobRequests jobs) {
        each("opened", listener -> listener.opened(runner, jobs));
    }

    @Override
    public void dispatched(String runner, String jobType, int count) {
        each("dispatched", listener -> listener.dispatched(runner, jobType, count));
    }

    @Override
    public void attemptStarted(JobRequest request, Duration waited) {
        each("attemptStarted", listener -> listener.attemptStarted(request, waited));
    }

    @Override
    public void attemptEnded(JobRequest request, Outcome outcome, boolean timedOut, Duration ran) {
        each("attemptEnded", listener -> listener.attemptEnded(request, outcome, timedOut, ran));
    }

    @Override
    public void workerStarted(WorkerStats stats) {
        each("workerStarted", listener -> listener.workerStarted(stats));
    }
}
