package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequestStore;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.spi.Settings;
import io.jobrunner.spi.StoreDiscovery;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link SqsWorker} configured by environment variables, with the handlers listed in
 * {@code META-INF/services} and the store {@code DATABASE_URL} names, until SIGTERM or SIGINT,
 * then shuts down gracefully.
 */
public final class SqsWorkerMain {

    private static final Logger log = LoggerFactory.getLogger(SqsWorkerMain.class);

    private SqsWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.fromEnvironment();
        List<String> missing = SqsSettings.missing(settings);
        if (!missing.isEmpty()) {
            throw new RunnerNotConfiguredException("sqs worker", missing);
        }
        ClassLoader loader = SqsWorkerMain.class.getClassLoader();
        HandlerRegistry handlers = HandlerRegistry.builder().discover(loader).build();
        if (handlers.isEmpty()) {
            throw new IllegalStateException("The SQS worker found no handlers: list your TaskHandler and JobHandler classes "
                    + "in META-INF/services/io.jobrunner.TaskHandler and META-INF/services/io.jobrunner.JobHandler");
        }
        JobRequestStore store = StoreDiscovery.open(settings, loader).orElseThrow(() -> new IllegalStateException(
                "The SQS worker needs a job request store: add io.jobrunner:job-request-store and set DATABASE_URL"));
        SqsWorker worker = SqsWorker.create(System.getenv(), handlers, store).start();
        log.info("Running task handlers {} and job handlers {}", handlers.taskNames(), handlers.jobTypes());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down the SQS worker");
            try {
                worker.close();
            } finally {
                store.close();
                stopped.countDown();
            }
        }, "sqs-worker-shutdown"));
        stopped.await();
    }
}
