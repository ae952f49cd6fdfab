package io.jobrunner.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a timeout passes. */
public final class Await {

    private Await() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            sleep(5);
        }
    }

    /** Polls a value until the predicate accepts it, and returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<T> value, java.util.function.Predicate<T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T current = value.get();
        while (!accept.test(current)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting until " + what
                        + "; last value: " + current);
            }
            sleep(5);
            current = value.get();
        }
        return current;
    }

    /** Checks a condition throughout {@code duration}: fails as soon as it does not hold. */
    public static void holdsFor(String what, Duration duration, BooleanSupplier condition) {
        long end = System.nanoTime() + duration.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("Expected " + what + " to hold for " + duration.toMillis() + " ms, but it stopped");
            }
            sleep(10);
        } while (System.nanoTime() < end);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting", e);
        }
    }
}
