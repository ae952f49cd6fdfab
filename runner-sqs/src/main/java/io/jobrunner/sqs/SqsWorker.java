package io.jobrunner.sqs;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobWorker;
import io.jobrunner.JobRunners;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.Setting;
import io.jobrunner.internal.HandOffRunner;
import io.jobrunner.internal.HandOffSweep;
import io.jobrunner.internal.HandlerSlots;
import io.jobrunner.internal.JobRuns;
import io.jobrunner.internal.NamedThreads;
import io.jobrunner.internal.Retention;
import io.jobrunner.internal.RetryBackoff;
import io.jobrunner.internal.RunnerSchedules;
import io.jobrunner.internal.ScheduleTicker;
import io.jobrunner.internal.StoredJobSchedules;
import io.jobrunner.internal.WorkerIds;
import io.jobrunner.internal.WorkerRegistration;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Consumes the {@code sqs} runner's queue: several pollers long-poll for messages and hand each to
 * a bounded pool of handler threads. A poller asks for no more than there are free threads, plus
 * what the threads get through in {@link #AHEAD_WINDOW} at the pace recent messages
 * ran (at most {@code JOB_RUNNER_SQS_PREFETCH}): slow jobs are never held back from other
 * workers, quick ones arrive ten at a time and never wait for a receive. A claim thread claims
 * the jobs of everything received in one statement. A message stays invisible from its receipt
 * until it is settled; finished messages are deleted in batches; a hand-off sweep sends delayed
 * and unsent jobs. {@link #close()} stops receiving, lets in-flight work finish up to the
 * shutdown timeout, and releases the rest to other workers at once. Thread-safe.
 */
public final class SqsWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqsWorker.class);
    /** How far ahead of its threads a worker receives: what they get through in this time. */
    private static final Duration AHEAD_WINDOW = Duration.ofMillis(100);
    /** Most messages one ReceiveMessage call returns. */
    private static final int MAX_RECEIVE = 10;

    private final SqsSettings settings;
    private final SqsClient client;
    private final boolean ownsClient;
    private final JobRequestStore store;
    private final JobRuns runs;
    private final QueueAttributes queue;
    private final Duration visibility;
    private final Object roomLock = new Object();
    /** Messages received and not settled yet: waiting for a thread, running, or having their outcome stored. */
    private int unsettled;
    /** Of those, the messages actually received (the rest is room reserved by receives in progress). */
    private int held;
    /** When {@link #held} last fell to zero, and whether a receive that began since found nothing: {@link #drain()}. */
    private long allSettledAt = System.nanoTime();
    private boolean emptySinceSettled;
    /** Received messages waiting for the {@link Claimer}. */
    private final ConcurrentLinkedQueue<InFlight> unclaimed = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean claimScheduled = new AtomicBoolean();
    private final Claimer claimer = new Claimer();
    private final ExecutorService pollers;
    private final HandlerSlots handlers;
    private final ExecutorService claims;
    private final ScheduledExecutorService sweeper;
    private final VisibilityHeartbeat heartbeat;
    private final DeleteBatcher deleter;
    private final MessageProcessor processor;
    private final HandOffSweep handOffSweep;
    /** Sends the jobs a finish here released, on the sweeper's thread, without waiting for the next sweep. */
    private final AutoCloseable releases;
    private final SqsTransport transport;
    private final RunnerContext context;
    private final StoredJobSchedules schedules;
    private ScheduleTicker scheduler;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    /** Receives in progress: each may wait up to the long-poll time, and close waits for it. */
    private final AtomicInteger receiving = new AtomicInteger();
    private volatile boolean running;
    private boolean closed;
    private WorkerRegistration registration;

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
        this.pollers = Executors.newFixedThreadPool(settings.pollers(), NamedThreads.factory("sqs-poller-", true));
        this.handlers = new HandlerSlots(SqsRunnerProvider.NAME, "sqs-handler-", settings.concurrency(), AHEAD_WINDOW);
        this.claims = Executors.newSingleThreadExecutor(NamedThreads.factory("sqs-claimer-", true));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("sqs-hand-off-", true));
        this.heartbeat = new VisibilityHeartbeat(client, settings.queueUrl(), visibility);
        this.deleter = new DeleteBatcher(client, settings.queueUrl());
        this.processor = new MessageProcessor(new MessageProcessor.Parts(client, settings.queueUrl(), queue,
                context.config().handlers(), context.config().codec(), context.config().tracer(), store, runs, RetryBackoff.of(context.config()), deleter));
        this.transport = new SqsTransport(settings, client, false);
        this.handOffSweep = new HandOffSweep(store, transport, Retention.from(context.config().settings()));
        // A place under a concurrency limit freed here: a job parked for it is sent now, not at the next sweep.
        java.util.concurrent.atomic.AtomicBoolean sweepAsked = new java.util.concurrent.atomic.AtomicBoolean();
        processor.onPlaceFreed(() -> {
            if (sweepAsked.compareAndSet(false, true)) {
                try {
                    sweeper.execute(() -> {
                        sweepAsked.set(false);
                        handOffSweep.handOffDue();
                    });
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    sweepAsked.set(false);
                }
            }
        });
        this.releases = store.watchReleased(released -> {
            try {
                sweeper.execute(handOffSweep::handOffDue);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing: the next sweep of any process hands them off
            }
        });
        this.context = context;
        this.schedules = RunnerSchedules.of(context, data -> HandOffRunner.unsentRequest(context, transport, data),
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
        Optional<SqsClient> given = context.config().client(SqsClient.class);
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
        scheduler = RunnerSchedules.startTimer(context, schedules, true);
        context.config().listener().opened(SqsRunnerProvider.NAME, context.jobRequests(UnaryOperator.identity()));
        context.config().listener().workerStarted(handlers.stats(inFlight::get, received::get, deleter::deleted));
        registration = WorkerRegistration.start(store, JobWorker.registering(runs.owner(), WorkerIds.hostName(),
                SqsRunnerProvider.NAME, settings.queueUrl(), context.config().handlers().jobTypes(), Set.of(),
                settings.concurrency()));
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

    /** Receives waiting on the queue now. */
    int receivesInFlight() {
        return receiving.get();
    }

    /** Messages being handled now: their handlers run, or their outcomes are being stored. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Waits until a receive is worth it and reserves room for it; returns how many messages to ask
     * for, or 0 once the worker stops. Until the pace is known (the first messages ran), and while
     * messages take longer than the window, the room is the free threads and one is enough. Quicker
     * messages add what the threads get through in the window, up to {@code JOB_RUNNER_SQS_PREFETCH},
     * and a poller then waits until it can ask for its share of that, up to ten, rather than
     * receiving one message per call.
     */
    private int reserveRoom() throws InterruptedException {
        synchronized (roomLock) {
            while (running) {
                int ahead = handlers.ahead(0, settings.prefetch());
                int room = settings.concurrency() + ahead - unsettled;
                int worth = Math.max(1, Math.min(MAX_RECEIVE, ahead / settings.pollers()));
                if (room >= worth) {
                    int wanted = Math.min(MAX_RECEIVE, room);
                    unsettled += wanted;
                    return wanted;
                }
                roomLock.wait(1_000);  // a settled message wakes it
            }
            return 0;
        }
    }

    /** A received message is settled or given back. */
    private void messageDone() {
        synchronized (roomLock) {
            held--;
            if (held == 0) {
                allSettledAt = System.nanoTime();
                emptySinceSettled = false;
            }
        }
        freeRoom(1);
    }

    /**
     * Drain mode: takes messages until the queue has none to give, then closes the worker. Returns
     * once every message it received is settled and a receive that began after that found the queue
     * empty (a long poll asks every SQS server), so what was visible then has run. Messages not
     * visible then — delayed, a retry's backoff, held by another worker — stay in the queue. Starts
     * the worker if needed.
     *
     * @return how many messages it received in all
     * @throws InterruptedException when interrupted while waiting; the worker is closed then too
     */
    public long drain() throws InterruptedException {
        start();
        try {
            synchronized (roomLock) {
                while (running && !(held == 0 && emptySinceSettled)) {
                    roomLock.wait(100);
                }
            }
        } finally {
            close();
        }
        return received();
    }

    private void freeRoom(int messages) {
        if (messages > 0) {
            synchronized (roomLock) {
                unsettled -= messages;
                roomLock.notifyAll();
            }
        }
    }

    private void poll() {
        while (running) {
            int wanted;
            try {
                wanted = reserveRoom();
            } catch (InterruptedException e) {
                return;
            }
            if (wanted == 0) {
                return;
            }
            List<Message> messages;
            receiving.incrementAndGet();
            long began = System.nanoTime();
            try {
                int max = wanted;
                messages = client.receiveMessage(b -> b.queueUrl(settings.queueUrl()).maxNumberOfMessages(max)
                        .waitTimeSeconds((int) settings.waitTime().toSeconds())
                        .visibilityTimeout((int) visibility.toSeconds())
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
            } catch (SdkException e) {
                freeRoom(wanted);
                if (running) {
                    log.warn("Receiving from {} failed; retrying in 1 s: {}", settings.queueUrl(), e.getMessage());
                    sleepQuietly(1000);
                }
                continue;
            } finally {
                receiving.decrementAndGet();
            }
            received.addAndGet(messages.size());
            synchronized (roomLock) {
                held += messages.size();
                if (messages.isEmpty() && held == 0 && began - allSettledAt > 0) {
                    emptySinceSettled = true;
                    roomLock.notifyAll();
                }
            }
            freeRoom(wanted - messages.size());
            for (Message message : messages) {
                unclaimed.add(new InFlight(message, heartbeat.track(message)));
            }
            // Claimed on the claim thread, so this poller is back at the queue at once.
            if (!messages.isEmpty() && claimScheduled.compareAndSet(false, true)) {
                try {
                    claims.execute(claimer);
                } catch (RejectedExecutionException e) {
                    claimer.release();
                }
            }
        }
    }

    private void dispatch(InFlight work) {
        if (!running) {
            work.release();
            return;
        }
        try {
            handlers.execute(work);
        } catch (RejectedExecutionException e) {
            work.release();
        }
    }

    /**
     * Claims the jobs of every message received and not claimed yet in one statement — the batches
     * of several pollers together when they arrive while a claim runs — then queues each message
     * for a handler thread. Runs on its own thread, so claims never wait behind queued messages; at
     * most one is queued or running at a time.
     */
    private final class Claimer implements Runnable {

        @Override
        public void run() {
            do {
                List<InFlight> batch = new ArrayList<>();
                InFlight next;
                while ((next = unclaimed.poll()) != null) {
                    batch.add(next);
                }
                if (!batch.isEmpty()) {
                    claimAndQueue(batch);
                }
                claimScheduled.set(false);
            } while (!unclaimed.isEmpty() && claimScheduled.compareAndSet(false, true));
        }

        private void claimAndQueue(List<InFlight> batch) {
            Map<String, MessageProcessor.Claim> claims = running
                    ? processor.claimJobs(batch.stream().map(work -> work.message).toList()) : Map.of();
            for (InFlight work : batch) {
                work.claim = claims.get(work.message.messageId());
                dispatch(work);
            }
        }

        /** Not run: every message waiting for a claim goes back to the queue. */
        void release() {
            InFlight next;
            while ((next = unclaimed.poll()) != null) {
                next.release();
            }
            claimScheduled.set(false);
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
        int busy = inFlight.get();
        int polls = receiving.get();
        log.info("Stopping the SQS worker on {}: {}{}", settings.queueUrl(), busy == 0 ? "no work running"
                        : busy + " messages' work may finish for up to " + settings.shutdownTimeout().toSeconds() + " s",
                polls == 0 ? "" : "; waiting up to " + settings.waitTime().toSeconds() + " s for the " + polls
                        + " receive" + (polls == 1 ? "" : "s") + " in flight (" + Setting.SQS_WAIT_TIME.variable()
                        + "), whose messages go back to the queue");
        // Pollers are not interrupted: an aborted receive can leave messages marked received on the
        // server but never handed to us. A receive in progress ends within the wait time, and what it
        // brings back is released at once.
        pollers.shutdown();
        claims.shutdown();
        try {
            releases.close();
        } catch (Exception e) {
            log.debug("Closing the release watcher failed", e);
        }
        if (scheduler != null) {
            scheduler.close();
        }
        sweeper.shutdown();
        try {
            claims.awaitTermination(5, TimeUnit.SECONDS);  // what it claimed is queued for the handlers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            handlers.drain(settings.shutdownTimeout(), runs::beginShutdown, "SQS worker on " + settings.queueUrl());
            pollers.awaitTermination(settings.waitTime().toSeconds() + 5, TimeUnit.SECONDS);
            claimer.release();  // what a last receive brought back after the handlers stopped
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (registration != null) {
                registration.close();
            }
            runs.close();
            deleter.close();
            heartbeat.close();
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

    /** A received message, kept invisible until it is settled; frees its room then. */
    private final class InFlight implements HandlerSlots.Work {
        private final Message message;
        private final ScheduledFuture<?> heartbeat;
        /** Its claim made with the received batch, set before it reaches a thread; {@code null} to claim when run. */
        private MessageProcessor.Claim claim;

        InFlight(Message message, ScheduledFuture<?> heartbeat) {
            this.message = message;
            this.heartbeat = heartbeat;
        }

        @Override
        public void run() {
            inFlight.incrementAndGet();
            long began = System.nanoTime();
            CompletableFuture<Void> settled;
            try {
                settled = processor.process(message, claim);
            } catch (RuntimeException e) {
                // process() reports its own failures; this is a last guard so the room is never lost
                log.error("Message {} could not be processed; it will be received again", message.messageId(), e);
                settled = CompletableFuture.completedFuture(null);
            }
            handlers.ran(System.nanoTime() - began);
            settled.whenComplete((ignored, error) -> settled());
        }

        /** Not run: the message goes back to the queue at once, and its claim, if any, to the store. */
        @Override
        public void release() {
            heartbeat.cancel(false);
            processor.release(message, claim);
            messageDone();
        }

        private void settled() {
            heartbeat.cancel(false);
            inFlight.decrementAndGet();
            messageDone();
        }
    }
}
