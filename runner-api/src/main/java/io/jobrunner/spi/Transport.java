package io.jobrunner.spi;

import io.jobrunner.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a backend whose work runs in other processes contributes to its runner: how a hand-off is
 * sent (an SQS message, a Lambda invocation). Everything around it is shared, in the engine
 * ({@code runner-core}'s {@code HandOffRunner}): storing the request first, marking it handed off or
 * clearing the mark when the send failed, retries, schedules, and the sweep that sends what is due
 * or was lost ({@code HandOffSweep}). The receiving side runs each job through the engine's
 * {@code JobRuns}. Implementations are thread-safe.
 */
public interface Transport extends AutoCloseable {

    /** A send that did not go through: its position in the list given, why, and the cause if any. */
    record Failure(int index, String reason, Throwable cause) {
    }

    /** The runner's name, stored on its requests (e.g. {@code "sqs"}). */
    String runnerName();

    /** Where hand-offs go (a queue URL, a function); stored on each request, so only its workers claim it. */
    String target();

    /** The largest task envelope it carries, in bytes. */
    long maxTaskBytes();

    /** The limit {@link #maxTaskBytes()} comes from, for the error naming it (a variable, the platform's limit). */
    String maxTaskBytesLimit();

    /** True when a job due at {@code runAt} is handed off at once; later ones wait for the sweep. */
    boolean sendsNow(Instant runAt, Instant now);

    /** How far ahead of its run-at the sweep hands a job off. */
    Duration sweepLookAhead();

    /** How long a job may stay due after its hand-off before the sweep presumes the hand-off lost and sends again. */
    Duration handOffStaleAfter();

    /**
     * True when the sweep must queue again the requests whose lease expired: nothing else brings them
     * back (a Lambda invocation is not redelivered, an SQS message is).
     */
    boolean requeuesAbandoned();

    /**
     * True when the jobs are run by long-running workers that register in the store (SQS workers):
     * a dispatch of a type no live one takes is then warned about. False (this default) for a
     * function, which runs whenever it is invoked.
     */
    default boolean workersRegister() {
        return false;
    }

    /**
     * Sends task envelopes of one dispatch; returns those not sent.
     *
     * @param traceParent the dispatch's trace context, which the envelopes carry too (a transport with
     *                    message attributes sets it there as well), or {@code null}
     */
    List<Failure> sendTasks(List<String> envelopes, String traceParent);

    /** Sends the hand-offs of stored jobs (each carries only the id); returns those not sent. */
    List<Failure> sendJobs(List<JobRequest> jobs, Instant now);

    /**
     * Asks the queue or function whether it exists and answers, with one round trip; empty when it
     * does, else the problem in one line (for {@link io.jobrunner.JobRunner#readiness()}).
     */
    default Optional<String> unreachable() {
        return Optional.empty();
    }

    /** Releases the client, if the transport created it. */
    @Override
    void close();
}
