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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for successes: a worker thread recording a success queues it, and whichever thread
 * finds no write in progress writes everything queued in one {@link JobRequestStore#succeedAll}, so
 * jobs finishing together cost one statement and one commit, and a job finishing alone waits for
 * nobody. Each row's lease is still checked by the store. Thread-safe.
 */
final class SuccessBatcher {

    /** Most successes written by one statement. */
    private static final int MAX_BATCH = 500;

    private record Pending(Success success, CompletableFuture<Optional<JobRequest>> recorded) {
    }

    private final JobRequestStore store;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    SuccessBatcher(JobRequestStore store) {
        this.store = store;
    }

    /**
     * Records the success (with others queued meanwhile); empty when the lease was no longer held.
     * The outcome is known before the thread moves on, even if it is interrupted meanwhile (the
     * interrupt is kept for the caller).
     */
    Optional<JobRequest> succeed(Lease lease, String resultJson, String message) {
        Pending pending = new Pending(new Success(lease, resultJson, message), new CompletableFuture<>());
        queue.add(pending);
        boolean interrupted = false;
        try {
            while (true) {
                if (writing.compareAndSet(false, true)) {
                    try {
                        writeQueued();
                    } finally {
                        writing.set(false);
                    }
                }
                try {
                    return pending.recorded().get(2, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // still queued behind the write in progress: try to write it ourselves
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
        try {
            List<Optional<JobRequest>> results = store.succeedAll(batch.stream().map(Pending::success).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).recorded().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.recorded().completeExceptionally(e));
        }
    }
}
