package io.jobrunner.internal;

import io.jobrunner.JobTracer;
import io.jobrunner.PayloadCodec;
import io.jobrunner.TaskHandler;

/**
 * Runs a task: its JSON payload read into the handler's type, then the handler, with the task's
 * name in the MDC, as a run span continuing its dispatch's trace. The same on every backend.
 */
public final class Tasks {

    private Tasks() {
    }

    /**
     * @param traceParent the dispatch's trace context the task carried, or {@code null}
     * @throws io.jobrunner.PayloadException when the payload does not fit the handler's type
     * @throws Exception                     what the handler threw
     */
    public static <P> void run(JobTracer tracer, PayloadCodec codec, TaskHandler<P> handler, byte[] payloadJson,
                               String traceParent) throws Exception {
        try (JobMdc.Scope mdc = JobMdc.task(handler.name());
             JobTracer.Span span = tracer.run(JobTracer.Work.TASK, handler.name(), 0, 1, traceParent)) {
            try {
                handler.run(codec.decode(handler.name(), payloadJson, handler.payloadType()));
            } catch (Exception | Error e) {
                span.failed(e);
                throw e;
            }
        }
    }
}
