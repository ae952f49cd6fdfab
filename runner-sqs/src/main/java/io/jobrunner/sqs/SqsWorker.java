package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.JobSchedules;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.internal.HandOffRunner;
import io.jobrunner.internal.HandOffSweep;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.NamedThreads;
import io.jobrunner.internal.ScheduleTicker;
import io.jobrunner.internal.WorkerIds;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final boolean ownsClient;
    private final JobRequestStore store;
    private final JobRuns runs;
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
    private final SqsTransport transport;
    private final RunnerContext context;
    private final JobSchedules schedules;
    private ScheduleTicker scheduler;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running;
    private boolean closed;

    private SqsWorker(RunnerContext context, SqsSettings settings, SqsClient client, boolean ownsClient) {
        this.settings = settings;
        this.client = client;
        this.ownsClient = ownsClient;
        this.store = context.store();
        this.queue = QueueAttributes.read(client, settings.queueUrl());
        this.visibility = settings.visibilityTimeout().orElse(queue.visibilityTimeout());
        if (!queue.hasDeadLetterQueue()) {
            log.warn("Queue {} has no redrive policy: messages that cannot be processed, and those of failed jobs, are "
                    + "deleted instead of moved to a dead-letter queue", settings.queueUrl());
        }
        this.runs = new JobRuns(context, WorkerIds.next("sqs-worker"));
        this.slots = new Semaphore(settings.concurrency());
        this.pollers = Executors.newFixedThreadPool(settings.pollers(), NamedThreads.factory("sqs-poller-", true));
        this.handlers = Executors.newFixedThreadPool(settings.concurrency(), NamedThreads.factory("sqs-handler-", false));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("sqs-hand-off-", true));
        this.heartbeat = new VisibilityHeartbeat(client, settings.queueUrl(), visibility);
        this.deleter = new DeleteBatcher(client, settings.queueUrl());
        this.processor = new MessageProcessor(new MessageProcessor.Parts(client, settings.queueUrl(), queue,
                context.handlers(), context.codec(), store, runs, context.retryBackoff(), heartbeat, deleter));
        this.transport = new SqsTransport(settings, client, false);
        this.handOffSweep = new HandOffSweep(store, transport);
        this.context = context;
        this.schedules = context.schedules(data -> HandOffRunner.unsentRequest(context, transport, data),
                fired -> handOffSweep.run());
    }

    /**
     * A worker built from the same configuration as the producers: its settings (the queue, limits),
     * handlers, codec, store and, if the application passed one, {@code SqsClient}. A store or client
     * the application passed stays open at {@link #close()}; those the worker opened are closed.
     * Call {@link #start()}.
     *
     * @throws RunnerNotConfiguredException naming what to set, when the queue is not configured or the
     *                                      store is one other processes cannot read
     */
    public static SqsWorker create(JobRunnerConfig config) {
        List<String> missing = SqsSettings.missing(config.settings());
        if (!missing.isEmpty()) {
            throw new RunnerNotConfiguredException("the SQS worker", missing);
        }
        SqsSettings sqs = SqsSettings.from(config.settings());
        RunnerContext context = RunnerContext.open(config);
        try {
            context.requireSharedStore("the SQS worker");
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        Optional<SqsClient> given = context.client(SqsClient.class);
        SqsClient client = given.orElseGet(() -> SqsClients.create(sqs));
        try {
            return new SqsWorker(context, sqs, client, given.isEmpty());
        } catch (RuntimeException e) {
            if (given.isEmpty()) {
                client.close();
            }
            context.close();
            throw e;
        }
    }

    /**
     * {@link #create(JobRunnerConfig)} with these settings, handlers and store: the same as
     * {@code create(JobRunners.builder().environment(environment).handlers(handlers).store(store).config())}.
     */
    public static SqsWorker create(Map<String, String> environment, HandlerRegistry handlers, JobRequestStore store) {
        return create(JobRunners.builder().environment(environment).handlers(handlers).store(store).config());
    }

    /** Starts polling and the hand-off sweep. */
    public synchronized SqsWorker start() {
        if (closed) {
            throw new IllegalStateException("This SQS worker was closed; create a new one");
        }
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
            Map<String, MessageProcessor.Claim> claims = running ? processor.claimJobs(messages) : Map.of();
            for (Message message : messages) {
                dispatch(message, claims.get(message.messageId()));
            }
        }
    }

    private void dispatch(Message message, MessageProcessor.Claim claim) {
        if (!running) {
            processor.release(message, claim);
            slots.release();
            return;
        }
        try {
            handlers.execute(new InFlight(message, claim));
        } catch (RejectedExecutionException e) {
            processor.release(message, claim);
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
        if (closed) {
            return;
        }
        closed = true;
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
                runs.beginShutdown();
                List<Runnable> notStarted = handlers.shutdownNow();
                for (Runnable work : notStarted) {
                    InFlight dropped = (InFlight) work;
                    processor.release(dropped.message, dropped.claim);
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
            runs.close();
            transport.close();
            if (ownsClient) {
                client.close();
            }
            context.close();
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
        private final MessageProcessor.Claim claim;

        InFlight(Message message, MessageProcessor.Claim claim) {
            this.message = message;
            this.claim = claim;
        }

        @Override
        public void run() {
            inFlight.incrementAndGet();
            try {
                processor.process(message, claim);
            } finally {
                inFlight.decrementAndGet();
                slots.release();
            }
        }
    }
}
