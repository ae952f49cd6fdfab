package io.jobrunner;

/**
 * Runs one kind of task. Register it on a {@link HandlerRegistry}, or list it in
 * {@code META-INF/services/io.jobrunner.TaskHandler} for discovery (then it needs a public no-arg
 * constructor).
 *
 * <p>Implementations must be thread-safe: one instance runs many tasks at once. A task may run in
 * another process than the one that dispatched it, so it must not rely on the caller's memory.
 *
 * @param <P> the payload type, read from JSON with Jackson
 */
public interface TaskHandler<P> {

    /** The task name used in {@link JobRunner#dispatchTask(String, Object)}. */
    String name();

    /** The class the JSON payload is read into. */
    Class<P> payloadType();

    /** Does the work. An exception is reported as each runner documents; tasks are not retried. */
    void run(P payload) throws Exception;

    /** A handler from a name, a payload class and a function. */
    static <P> TaskHandler<P> of(String name, Class<P> payloadType, Body<P> body) {
        return new TaskHandler<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<P> payloadType() {
                return payloadType;
            }

            @Override
            public void run(P payload) throws Exception {
                body.run(payload);
            }
        };
    }

    /** The work of a task, for {@link #of}. */
    @FunctionalInterface
    interface Body<P> {
        void run(P payload) throws Exception;
    }
}
