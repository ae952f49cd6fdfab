package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends stored jobs' hand-offs on a thread of its own, so {@code dispatchJob} returns once the job is
 * committed: it takes what was queued — up to {@link #BATCH} jobs, as one {@code SendMessageBatch}
 * holds ten — and hands the batch to {@code send}: at once after a quiet spell, so a lone job waits
 * for nothing; within {@link #GATHER_NANOS} of the last send, after gathering that long for more,
 * so jobs dispatched one by one share calls. Nothing is
 * lost by it: every job it holds is stored, marked handed off or not, so the hand-off sweep sends
 * it if this process stops first; {@link #close()} sends what is left. Thread-safe.
 */
final class BackgroundSender implements AutoCloseable {

    static final int BATCH = 10;
    static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final Logger log = LoggerFactory.getLogger(BackgroundSender.class);

    private final LinkedBlockingQueue<JobRequest> waiting = new LinkedBlockingQueue<>();
    private final Consumer<List<JobRequest>> send;
    private final Thread thread;
    private volatile boolean closing;

    BackgroundSender(String name, Consumer<List<JobRequest>> send) {
        this.send = send;
        this.thread = new Thread(this::run, name + "-sender");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void enqueue(List<JobRequest> jobs) {
        waiting.addAll(jobs);
    }

    private void run() {
        List<JobRequest> batch = new ArrayList<>(BATCH);
        long lastSent = System.nanoTime() - GATHER_NANOS;
        while (!closing || !waiting.isEmpty()) {
            try {
                JobRequest first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, BATCH - 1);
                // A job after a quiet spell goes at once; in a stream of single dispatches, wait a little for the next ones.
                long until = System.nanoTime() - lastSent < GATHER_NANOS ? System.nanoTime() + GATHER_NANOS : 0;
                while (batch.size() < BATCH) {
                    long left = until - System.nanoTime();
                    JobRequest next = left > 0 && !closing ? waiting.poll(left, TimeUnit.NANOSECONDS) : waiting.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                sendQuietly(batch);
                lastSent = System.nanoTime();
            } catch (InterruptedException e) {
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void sendQuietly(List<JobRequest> batch) {
        try {
            send.accept(List.copyOf(batch));
        } catch (RuntimeException e) {
            log.warn("Sending {} hand-offs failed; the hand-off sweep sends them: {}", batch.size(), e.toString());
        }
    }

    /** Sends what is waiting, then stops; waits up to ten seconds for it. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{} hand-offs were not sent before close; the hand-off sweep sends them", waiting.size());
        }
    }
}
