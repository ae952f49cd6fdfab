package io.jobrunner.inprocess;

import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DatabaseWorker} configured like the producers, from the environment: the handlers
 * listed in {@code META-INF/services}, the store {@code DATABASE_URL} names (else the embedded store
 * in {@code JOB_RUNNER_EMBEDDED_DIR}), the job types and queues to take; until SIGTERM or SIGINT,
 * then shuts down gracefully.
 */
public final class DatabaseWorkerMain {

    private static final Logger log = LoggerFactory.getLogger(DatabaseWorkerMain.class);

    private DatabaseWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        JobRunnerConfig config = JobRunners.builder().config();
        DatabaseWorker worker = DatabaseWorker.create(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down the database worker");
            try {
                worker.close();
            } finally {
                stopped.countDown();
            }
        }, "db-worker-shutdown"));
        stopped.await();
    }
}
