package io.jobrunner.internal;

import io.jobrunner.WorkerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler threads of a worker, and what every worker does around them: how much work it takes
 * ahead of its threads (what they get through in a window at the pace recent runs took), and a
 * shutdown that lets work finish up to a timeout, then interrupts it and gives back what never
 * started. A worker adds only how it takes work — a claim from the store, a receive from a queue —
 * and how it gives work back. Thread-safe.
 */
public final class HandlerSlots {

    /** Work for a handler thread: run it, or, when it will not run, give it back untouched. */
    public interface Work extends Runnable {
        /** Gives the work back (to the store, to the queue) so another worker may take it at once. */
        void release();
    }

    private static final Logger log = LoggerFactory.getLogger(HandlerSlots.class);

    private final String runner;
    private final int concurrency;
    private final long windowNanos;
    private final RunPace pace = new RunPace();
    private final ThreadPoolExecutor pool;

    /**
     * @param runner       the runner the worker serves, for its stats
     * @param threadPrefix names the handler threads (not daemons: they run user work, and shutdown drains them)
     * @param window       how far ahead of its threads a worker takes work, in run time
     */
    public HandlerSlots(String runner, String threadPrefix, int concurrency, Duration window) {
        this.runner = runner;
        this.concurrency = concurrency;
        this.windowNanos = window.toNanos();
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                NamedThreads.factory(threadPrefix, false));
    }

    public int concurrency() {
        return concurrency;
    }

    /** One handler run took this long: the pace that sizes {@link #ahead}. */
    public void ran(long nanos) {
        pace.ran(nanos);
    }

    /**
     * How much work may wait for a thread: what the threads get through in the window at the pace
     * recent runs took, at least {@code least} and at most {@code most}. Quick work is taken in
     * large batches; slow work is not hoarded away from other workers. Before the first run the
     * pace is unknown, and it is {@code least}.
     */
    public int ahead(int least, int most) {
        return (int) Math.max(least, Math.min(most, pace.runsWithin(concurrency, windowNanos)));
    }

    /** Queues the work for a thread. @throws java.util.concurrent.RejectedExecutionException once shut down */
    public void execute(Work work) {
        pool.execute(work);
    }

    /** Threads running work now. */
    public int busy() {
        return pool.getActiveCount();
    }

    /** Gives back every piece of work still waiting for a thread; returns how many. */
    public int releaseWaiting() {
        List<Runnable> waiting = new ArrayList<>();
        pool.getQueue().drainTo(waiting);
        waiting.forEach(work -> ((Work) work).release());
        return waiting.size();
    }

    /**
     * Stops taking work and lets what was handed to the threads finish for up to {@code timeout}.
     * What is still running then is told ({@code interrupting}, e.g. so its outcome is a release)
     * and interrupted, and what never started is given back. Returns false when it had to interrupt.
     *
     * @param who names the worker in the warning an interrupted drain logs
     */
    public boolean drain(Duration timeout, Runnable interrupting, String who) throws InterruptedException {
        pool.shutdown();
        if (pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        interrupting.run();
        List<Runnable> notStarted = pool.shutdownNow();
        notStarted.forEach(work -> ((Work) work).release());
        log.warn("{} did not drain within {} ms: interrupted the work still running, which goes back to the queue,"
                + " and gave back {} not started", who, timeout.toMillis(), notStarted.size());
        pool.awaitTermination(Math.min(timeout.toMillis(), 5_000), TimeUnit.MILLISECONDS);
        return false;
    }

    /** Interrupts everything at once: for a worker whose closing thread was itself interrupted. */
    public void shutdownNow() {
        pool.shutdownNow();
    }

    /**
     * The figures a listener reads while the worker runs.
     *
     * @param inUse    slots holding work (running it, or storing its outcome)
     * @param received messages received, or {@code -1} for a worker with no queue
     * @param deleted  messages deleted, or {@code -1} for a worker with no queue
     */
    public WorkerStats stats(IntSupplier inUse, LongSupplier received, LongSupplier deleted) {
        return new WorkerStats() {
            @Override
            public String runner() {
                return runner;
            }

            @Override
            public int slots() {
                return concurrency;
            }

            @Override
            public int slotsInUse() {
                return inUse.getAsInt();
            }

            @Override
            public long messagesReceived() {
                return received.getAsLong();
            }

            @Override
            public long messagesDeleted() {
                return deleted.getAsLong();
            }
        };
    }
}
