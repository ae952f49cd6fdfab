package io.jobrunner.internal;

import io.jobrunner.PayloadCodec;
import io.jobrunner.TaskHandler;

/**
 * Runs a task: its JSON payload read into the handler's type, then the handler, with the task's
 * name in the MDC. The same on every backend.
 */
public final class Tasks {

    private Tasks() {
    }

    /**
     * @throws io.jobrunner.PayloadException when the payload does not fit the handler's type
     * @throws Exception                     what the handler threw
     */
    public static <P> void run(PayloadCodec codec, TaskHandler<P> handler, byte[] payloadJson) throws Exception {
        try (JobMdc.Scope mdc = JobMdc.task(handler.name())) {
            handler.run(codec.decode(handler.name(), payloadJson, handler.payloadType()));
        }
    }
}
