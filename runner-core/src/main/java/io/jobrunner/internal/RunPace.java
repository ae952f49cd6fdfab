package io.jobrunner.internal;

/**
 * The pace a worker's handlers have been running at, for deciding how much work to take ahead of
 * its threads: a moving average of one run's time that rises fast when runs get slower (half way
 * to a slower run at once: take less ahead straight away, without one hiccup undoing what a
 * thousand quick runs showed) and falls gradually when they get quicker. Thread-safe; concurrent
 * updates may be lost, which only blurs the average.
 */
public final class RunPace {

    private volatile double averageNanos = -1;

    /** One handler run took this long. */
    public void ran(long nanos) {
        double average = averageNanos;
        averageNanos = average < 0 ? nanos : nanos >= average ? (average + nanos) / 2 : average * 0.9 + nanos * 0.1;
    }

    /**
     * How many runs {@code threads} threads get through in {@code windowNanos} at this pace, or
     * {@code -1} before the first run (nothing is known, so take nothing ahead).
     */
    public double runsWithin(int threads, long windowNanos) {
        double average = averageNanos;
        return average < 0 ? -1 : threads * (double) windowNanos / Math.max(average, 1);
    }
}
