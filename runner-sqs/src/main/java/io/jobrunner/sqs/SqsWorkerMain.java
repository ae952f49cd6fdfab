package io.jobrunner.sqs;

import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link SqsWorker} configured like the producers, from the environment: the handlers listed
 * in {@code META-INF/services}, the store {@code DATABASE_URL} names, the queue and limits; until
 * SIGTERM or SIGINT, then shuts down gracefully.
 */
public final class SqsWorkerMain {

    private static final Logger log = LoggerFactory.getLogger(SqsWorkerMain.class);

    private SqsWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        JobRunnerConfig config = JobRunners.builder().config();
        if (config.handlers().isEmpty()) {
            throw new IllegalStateException("The SQS worker found no handlers: list your TaskHandler and JobHandler classes "
                    + "in META-INF/services/io.jobrunner.TaskHandler and META-INF/services/io.jobrunner.JobHandler");
        }
        SqsWorker worker = SqsWorker.create(config).start();
        log.info("Running task handlers {} and job handlers {}", config.handlers().taskNames(), config.handlers().jobTypes());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down the SQS worker");
            try {
                worker.close();
            } finally {
                stopped.countDown();
            }
        }, "sqs-worker-shutdown"));
        stopped.await();
    }
}
