package io.jobrunner;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Polls the store until a request is finished; the implementation of {@link JobRunner#awaitCompletion}. */
final class JobAwaiter {

    private static final long FIRST_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 500;

    private JobAwaiter() {
    }

    static Optional<JobRequest> await(Supplier<Optional<JobRequest>> read, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_MILLIS;
        while (true) {
            JobRequest current = read.get().orElseThrow(() -> new JobStoreException("No job request with " + what
                    + " is stored; dispatch it first, or check that this runner uses the store it was dispatched to"));
            if (current.status().isFinished()) {
                return Optional.of(current);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            pause = Math.min(pause * 2, MAX_POLL_MILLIS);
        }
    }
}
