package io.jobrunner.inprocess;

import io.jobrunner.PayloadCodec;
import io.jobrunner.TaskHandler;

/** Reads a task's JSON payload into its handler's type and runs it. Stateless. */
final class TaskInvoker {

    private TaskInvoker() {
    }

    static <P> void run(PayloadCodec codec, TaskHandler<P> handler, byte[] json) throws Exception {
        handler.run(codec.decode(handler.name(), json, handler.payloadType()));
    }
}
