package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorker;
import java.util.concurrent.CountDownLatch;

/**
 * A database worker process for {@link RateLimitBenchmark} that runs {@link RatedNoopJob} alone. Kept
 * out of META-INF/services so the other benchmarks' workers register no rate-limited type: while one
 * is registered, every claim of the schema also records its starts.
 */
public final class RatedWorkerMain {

    private RatedWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        HandlerRegistry handlers = HandlerRegistry.builder().job(new RatedNoopJob()).build();
        DatabaseWorker worker = DatabaseWorker.create(JobRunners.builder().handlers(handlers).config()).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "rated-worker-shutdown"));
        stopped.await();
    }
}
