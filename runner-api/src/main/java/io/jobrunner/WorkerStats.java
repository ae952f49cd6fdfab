package io.jobrunner;

/** Live figures of a running worker, read when a listener asks. Implementations are thread-safe. */
public interface WorkerStats {

    /** The runner the worker serves: {@code sqs}, {@code database}. */
    String runner();

    /** Handler slots: how many jobs it runs at once. */
    int slots();

    /** Slots busy now. */
    int slotsInUse();

    /** Messages received from its queue since it started; {@code -1} for a worker without a queue. */
    long messagesReceived();

    /** Messages it deleted from its queue since it started; {@code -1} for a worker without a queue. */
    long messagesDeleted();
}
