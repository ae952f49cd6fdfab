package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.Success;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit for successes: a success is queued, and whichever thread finds no write in progress
 * writes everything queued in one {@link JobRequestStore#succeedAll} — and goes on writing while
 * more arrives — so jobs finishing together cost one statement and one commit, and a job finishing
 * alone waits for nobody. Each row's lease is still checked by the store. A caller may wait for its
 * success ({@link #submitNow}, written without the gathering gap) or go on with other work ({@link #submit}). Thread-safe.
 */
final class SuccessBatcher {

    /** Most successes written by one statement. */
    private static final int MAX_BATCH = 500;
    /**
     * Least time between two writes started for {@link #submit} callers, who do not wait for their
     * write: jobs finishing one by one a little apart share a statement instead of one each.
     */
    private static final long SUBMIT_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private record Pending(Success success, CompletableFuture<Optional<JobRequest>> recorded) {
    }

    private final JobRequestStore store;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** A submitting thread is waiting out the gap before it writes; the others go on at once. */
    private final AtomicBoolean gatherer = new AtomicBoolean();
    private volatile long lastWriteStarted = System.nanoTime() - SUBMIT_GAP_NANOS;

    SuccessBatcher(JobRequestStore store) {
        this.store = store;
    }

    /**
     * Queues the success and returns at once unless no write is in progress and no other thread
     * waits to start one, in which case this thread writes it (and whatever else is queued) — after
     * waiting out what is left of {@link #SUBMIT_GAP_NANOS} since the last write began, so successes
     * arriving one by one are written a few at a time, and only one thread waits for them. The
     * future completes once it is stored: empty when the lease was no longer held, exceptionally
     * when the write failed.
     */
    CompletableFuture<Optional<JobRequest>> submit(Lease lease, String resultJson, String message) {
        return enqueue(lease, resultJson, message, true);
    }

    /**
     * {@link #submit} without the gap: written at once unless another write is in progress (then with
     * it, right after). For a job whose end frees a place under a concurrency limit, which a held job
     * waits for.
     */
    CompletableFuture<Optional<JobRequest>> submitNow(Lease lease, String resultJson, String message) {
        return enqueue(lease, resultJson, message, false);
    }

    private CompletableFuture<Optional<JobRequest>> enqueue(Lease lease, String resultJson, String message,
                                                            boolean gathering) {
        Pending pending = new Pending(new Success(lease, resultJson, message), new CompletableFuture<>());
        queue.add(pending);
        if (gathering && !writing.get()) {
            if (!gatherer.compareAndSet(false, true)) {
                // Another thread waits out the gap and then writes what is queued, this one included: it
                // lets go of gathering before it looks at the queue, and this thread saw it still holding on.
                return pending.recorded();
            }
            long early = lastWriteStarted + SUBMIT_GAP_NANOS - System.nanoTime();
            if (early > 0) {
                LockSupport.parkNanos(early);  // an interrupt ends the wait early; the success is still written
            }
            gatherer.set(false);
        }
        drain();
        return pending.recorded();
    }

    /**
     * Writes while anything is queued and no other thread is writing. A success queued while another
     * thread writes is seen by that thread after it lets go, so none is left behind.
     */
    private void drain() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            try {
                writeQueued();
            } finally {
                writing.set(false);
            }
        }
    }

    static <T> T awaitUninterruptibly(CompletableFuture<T> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeQueued() {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        lastWriteStarted = System.nanoTime();
        List<Optional<JobRequest>> results;
        try {
            results = store.succeedAll(batch.stream().map(Pending::success).toList());
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.recorded().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).recorded().complete(results.get(i));
        }
    }
}
