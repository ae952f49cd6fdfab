package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.TaskHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * No-op tasks dispatched and completed per second through {@code inprocess-async}, against a bare
 * {@link ThreadPoolExecutor} with the same thread count running the same no-op, in the same run.
 *
 * <p>Arguments: tasks per round (default 1000000), threads (default 2).
 */
public final class InProcessAsyncBenchmark {

    /** The task payload: small, as light tasks are. */
    public record Tick(int n) {
    }

    private InProcessAsyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        AtomicReference<CountDownLatch> done = new AtomicReference<>();
        HandlerRegistry handlers = HandlerRegistry.builder()
                .task(TaskHandler.of("noop", Tick.class, tick -> done.get().countDown()))
                .build();
        ThreadPoolExecutor bare = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>());
        SideBySide.Round viaExecutor = () -> {
            CountDownLatch latch = new CountDownLatch(tasks);
            long start = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                bare.execute(latch::countDown);
            }
            latch.await();
            return System.nanoTime() - start;
        };
        try (JobRunner runner = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "inprocess-async", "JOB_RUNNER_CONCURRENCY", String.valueOf(threads),
                        "JOB_RUNNER_STORE", "memory"))
                .handlers(handlers).build()) {
            double ratio = SideBySide.compare("inprocess-async: no-op tasks (no payload) dispatched and completed per second ("
                            + tasks + " per round, " + threads + " threads)", "tasks/s", tasks, 3, 7,
                    "inprocess-async", rounds(runner, done, tasks, i -> null), "bare ThreadPoolExecutor", viaExecutor);
            System.out.printf("Target: at least 0.70 of the bare executor -> %s%n%n", ratio >= 0.7 ? "met" : "NOT met");
            SideBySide.compare("inprocess-async: no-op tasks with a one-field record payload (Jackson writes it at "
                            + "dispatch, reads a copy on the worker)", "tasks/s", tasks, 2, 5,
                    "inprocess-async + payload", rounds(runner, done, tasks, Tick::new), "bare ThreadPoolExecutor", viaExecutor);
        } finally {
            bare.shutdown();
        }
    }

    private static SideBySide.Round rounds(JobRunner runner, AtomicReference<CountDownLatch> done, int tasks,
                                           IntFunction<Tick> payload) {
        return () -> {
            done.set(new CountDownLatch(tasks));
            long start = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                runner.dispatchTask("noop", payload.apply(i));
            }
            done.get().await();
            return System.nanoTime() - start;
        };
    }
}
