package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRequestStore;
import io.jobrunner.JobSchedules;
import io.jobrunner.spi.JobExecutor;
import io.jobrunner.spi.NamedThreads;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.ScheduleTicker;
import io.jobrunner.spi.Settings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Consumes the {@code sqs} runner's queue: several pollers long-poll for messages, never asking
 * for more than there are free handler slots, and hand each message to a bounded pool. Finished
 * messages are deleted in batches; long runs keep their messages invisible; a hand-off sweep
 * sends delayed and unsent jobs. {@link #close()} stops receiving, lets in-flight work finish up
 * to the shutdown timeout, and releases the rest to other workers at once. Thread-safe.
 */
public final class SqsWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqsWorker.class);

    private final SqsSettings settings;
    private final SqsClient client;
    private final JobRequestStore store;
    private final JobExecutor executor;
    private final QueueAttributes queue;
    private final Duration visibility;
    private final Semaphore slots;
    private final ExecutorService pollers;
    private final ExecutorService handlers;
    private final ScheduledExecutorService sweeper;
    private final VisibilityHeartbeat heartbeat;
    private final DeleteBatcher deleter;
    private final MessageProcessor processor;
    private final HandOffSweep handOffSweep;
    private final RunnerContext context;
    private final JobSchedules schedules;
    private ScheduleTicker scheduler;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running;

    private SqsWorker(RunnerContext context, SqsSettings settings, SqsClient client) {
        this.settings = settings;
        this.client = client;
        this.store = context.store();
        this.queue = QueueAttributes.read(client, settings.queueUrl());
        this.visibility = settings.visibilityTimeout().orElse(queue.visibilityTimeout());
        if (!queue.hasDeadLetterQueue()) {
            log.warn("Queue {} has no redrive policy: messages that cannot be processed, and those of failed jobs, are "
                    + "deleted instead of moved to a dead-letter queue", settings.queueUrl());
        }
        this.executor = JobExecutor.forContext(context);
        this.slots = new Semaphore(settings.concurrency());
        this.pollers = Executors.newFixedThreadPool(settings.pollers(), NamedThreads.factory("sqs-poller-", true));
        this.handlers = Executors.newFixedThreadPool(settings.concurrency(), NamedThreads.factory("sqs-handler-", false));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("sqs-hand-off-", true));
        this.heartbeat = new VisibilityHeartbeat(client, settings.queueUrl(), visibility);
        this.deleter = new DeleteBatcher(client, settings.queueUrl());
        String owner = "sqs-worker@" + ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        this.processor = new MessageProcessor(new MessageProcessor.Parts(client, settings.queueUrl(), queue,
                context.handlers(), context.codec(), store, executor, context.retryBackoff(), owner,
                context.leaseTime(), heartbeat, deleter));
        this.handOffSweep = new HandOffSweep(store, new SqsSender(client, settings), settings);
        this.context = context;
        this.schedules = context.schedules(data -> SqsJobRunner.unsentRequest(context, settings, data),
                fired -> handOffSweep.run());
    }

    /**
     * A worker for the queue the settings name, running the given handlers, with jobs in the given
     * store. The caller keeps the store; the worker owns its SQS client. Call {@link #start()}.
     */
    public static SqsWorker create(Map<String, String> environment, HandlerRegistry handlers, JobRequestStore store) {
        Settings settings = Settings.of(environment);
        RunnerContext context = new RunnerContext(settings, handlers, RunnerContext.codecFor(settings),
                store, false);
        SqsSettings sqs = SqsSettings.from(settings);
        context.requireSharedStore("the SQS worker");
        return new SqsWorker(context, sqs, SqsClients.create(sqs));
    }

    /** Starts polling and the hand-off sweep. */
    public synchronized SqsWorker start() {
        if (running) {
            return this;
        }
        running = true;
        for (int i = 0; i < settings.pollers(); i++) {
            pollers.execute(this::poll);
        }
        long interval = settings.handOffInterval().toMillis();
        sweeper.scheduleWithFixedDelay(handOffSweep, 0, interval, TimeUnit.MILLISECONDS);
        scheduler = context.startScheduler(schedules, true).orElse(null);
        log.info("SQS worker started on {}: {} pollers, {} handler slots, visibility {} s", settings.queueUrl(),
                settings.pollers(), settings.concurrency(), visibility.toSeconds());
        return this;
    }

    public boolean isRunning() {
        return running;
    }

    /** Messages received from the queue since start, duplicates and redeliveries included. */
    public long received() {
        return received.get();
    }

    /** Messages being handled now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void poll() {
        while (running) {
            int wanted;
            try {
                slots.acquire();
                wanted = 1;
                while (wanted < 10 && slots.tryAcquire()) {
                    wanted++;
                }
            } catch (InterruptedException e) {
                return;
            }
            List<Message> messages;
            try {
                int max = wanted;
                messages = client.receiveMessage(b -> b.queueUrl(settings.queueUrl()).maxNumberOfMessages(max)
                        .waitTimeSeconds((int) settings.waitTime().toSeconds())
                        .visibilityTimeout((int) visibility.toSeconds())
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
            } catch (SdkException e) {
                slots.release(wanted);
                if (running) {
                    log.warn("Receiving from {} failed; retrying in 1 s: {}", settings.queueUrl(), e.getMessage());
                    sleepQuietly(1000);
                }
                continue;
            }
            received.addAndGet(messages.size());
            slots.release(wanted - messages.size());
            for (Message message : messages) {
                dispatch(message);
            }
        }
    }

    private void dispatch(Message message) {
        if (!running) {
            processor.release(message);
            slots.release();
            return;
        }
        try {
            handlers.execute(new InFlight(message));
        } catch (RejectedExecutionException e) {
            processor.release(message);
            slots.release();
        }
    }

    /**
     * Stops receiving, lets in-flight work finish up to {@code JOB_RUNNER_SHUTDOWN_TIMEOUT}, then
     * interrupts what still runs and makes its messages, and those not started, visible at once.
     * Returns once a receive in progress has ended (at most {@code JOB_RUNNER_SQS_WAIT_TIME}).
     */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        // Pollers are not interrupted: an aborted receive can leave messages marked received on the
        // server but never handed to us. A receive in progress ends within the wait time, and what it
        // brings back is released at once.
        pollers.shutdown();
        if (scheduler != null) {
            scheduler.close();
        }
        sweeper.shutdown();
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                executor.beginShutdown();
                List<Runnable> notStarted = handlers.shutdownNow();
                for (Runnable work : notStarted) {
                    processor.release(((InFlight) work).message);
                }
                log.warn("SQS worker did not drain within {} ms: interrupted running work and released {} messages not "
                        + "started", settings.shutdownTimeout().toMillis(), notStarted.size());
                handlers.awaitTermination(5, TimeUnit.SECONDS);
            }
            pollers.awaitTermination(settings.waitTime().toSeconds() + 5, TimeUnit.SECONDS);
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleter.close();
            heartbeat.close();
            executor.close();
            client.close();
            log.info("SQS worker on {} stopped", settings.queueUrl());
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One message being handled; frees its slot when done. */
    private final class InFlight implements Runnable {
        private final Message message;

        InFlight(Message message) {
            this.message = message;
        }

        @Override
        public void run() {
            inFlight.incrementAndGet();
            try {
                processor.process(message);
            } finally {
                inFlight.decrementAndGet();
                slots.release();
            }
        }
    }
}
