package io.jobrunner;

/**
 * Carries a trace from a dispatch to the runs of its work, whatever process runs them: the dispatch
 * is a span on the caller's thread, its context travels with the work as a W3C {@code traceparent}
 * value (stored with a job's request, in a task's envelope, as an SQS message attribute), and each
 * run — a task, or one attempt of a job — is a child span of it on the thread that runs the handler.
 *
 * <p>The library calls it; an application picks one with {@link JobRunners.Builder#tracer}, usually
 * {@code JobObservations} of {@code jobrunner-micrometer}, which makes dispatches and runs Micrometer
 * Observations (and so spans of whatever tracer the application bridged them to). Without one
 * ({@link #NONE}) nothing is traced and nothing is carried. Implementations must be thread-safe and
 * quick; what they throw reaches the caller.
 */
public interface JobTracer {

    /** What is dispatched or run. */
    enum Work {
        TASK,
        JOB;

        /** {@code task} or {@code job}, as span and meter tags name it. */
        public String tag() {
            return this == TASK ? "task" : "job";
        }
    }

    /** Traces nothing and carries nothing. */
    JobTracer NONE = new JobTracer() {
        @Override
        public Span dispatch(Work work, String name, int count) {
            return Span.NONE;
        }

        @Override
        public String traceParent() {
            return null;
        }

        @Override
        public Span run(Work work, String name, long jobId, int attempt, String traceParent) {
            return Span.NONE;
        }
    };

    /**
     * A dispatch of {@code count} tasks or jobs named {@code name} begins on this thread, as a child of
     * whatever span is current here; it is current on this thread until closed.
     */
    Span dispatch(Work work, String name, int count);

    /**
     * The context of the dispatch current on this thread, as a W3C {@code traceparent} value, for the
     * work to carry; {@code null} when no dispatch is current or nothing records it.
     */
    String traceParent();

    /**
     * A run begins on this thread and is current here until closed: a task, or attempt {@code attempt}
     * of job {@code jobId} ({@code 0} for a task), continuing the trace {@code traceParent} as a child
     * of its dispatch, or a trace of its own when that is {@code null}.
     */
    Span run(Work work, String name, long jobId, int attempt, String traceParent);

    /** A span begun by the tracer; closed once, on the thread that began it. */
    interface Span extends AutoCloseable {

        /** A span that records nothing. */
        Span NONE = new Span() {
            @Override
            public void failed(Throwable error) {
            }

            @Override
            public void close() {
            }
        };

        /** The work failed with {@code error}; recorded on the span before it is closed. */
        void failed(Throwable error);

        @Override
        void close();
    }
}
