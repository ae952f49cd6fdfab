package io.jobrunner.micrometer;

import io.jobrunner.JobListener;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobStatus;
import io.jobrunner.PausedWork;
import io.jobrunner.WorkerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for what happens to jobs in this process. Register it with the runner, the
 * workers and the function's configuration:
 *
 * <pre>{@code
 * JobRunner runner = JobRunners.builder().listener(new JobRunnerMetrics(registry)).build();
 * }</pre>
 *
 * Every meter is tagged {@code runner} (for attempts: the runner the job was dispatched through);
 * job meters also {@code type}:
 * <ul>
 *   <li>{@value #DISPATCHED}: new requests stored;</li>
 *   <li>{@value #SUCCEEDED}, {@value #FAILED} (for good), {@value #RETRIED} (failed with attempts
 *       left), {@value #CANCELLED}, {@value #TIMED_OUT} (attempts past their timeout, also counted as
 *       retried or failed): attempts by how they ended;</li>
 *   <li>{@value #RUN}: a timer of each attempt, start to stored outcome, tagged {@code outcome};</li>
 *   <li>{@value #WAIT}: a timer from when a request was due (dispatched, its run-at or retry time)
 *       to its attempt's start;</li>
 *   <li>{@value #QUEUED}, {@value #RUNNING}: gauges of requests in the store, all runners' together,
 *       read at most every {@value #COUNT_REFRESH_SECONDS} s; {@value #PAUSES}, the queues and job types
 *       paused, and {@value #HELD}, the queued requests they hold (a request held by two pauses counts
 *       twice), read as often; {@value #WAITING}, the requests waiting for the jobs they run after;
 *       {@value #LIMITED_RUNNING} and {@value #LIMITED_STARTED}, per limited job type (tag {@code type}):
 *       its jobs running, and its attempts started in its rate limit's current window;</li>
 *   <li>{@value #SLOTS}, {@value #SLOTS_USED}: a worker's handler slots and those busy;
 *       {@value #MESSAGES_RECEIVED}, {@value #MESSAGES_DELETED}: an SQS worker's messages.</li>
 * </ul>
 * Thread-safe.
 */
public final class JobRunnerMetrics implements JobListener {

    public static final String DISPATCHED = "jobrunner.jobs.dispatched";
    public static final String SUCCEEDED = "jobrunner.jobs.succeeded";
    public static final String FAILED = "jobrunner.jobs.failed";
    public static final String RETRIED = "jobrunner.jobs.retried";
    public static final String CANCELLED = "jobrunner.jobs.cancelled";
    public static final String TIMED_OUT = "jobrunner.jobs.timed.out";
    public static final String RUN = "jobrunner.jobs.run";
    public static final String WAIT = "jobrunner.jobs.wait";
    public static final String QUEUED = "jobrunner.jobs.queued";
    public static final String RUNNING = "jobrunner.jobs.running";
    public static final String WAITING = "jobrunner.jobs.waiting";
    public static final String LIMITED_RUNNING = "jobrunner.limit.running";
    public static final String LIMITED_STARTED = "jobrunner.limit.started";
    public static final String HELD = "jobrunner.jobs.held";
    public static final String PAUSES = "jobrunner.pauses";
    public static final String SLOTS = "jobrunner.worker.slots";
    public static final String SLOTS_USED = "jobrunner.worker.slots.used";
    public static final String MESSAGES_RECEIVED = "jobrunner.sqs.messages.received";
    public static final String MESSAGES_DELETED = "jobrunner.sqs.messages.deleted";
    static final long COUNT_REFRESH_SECONDS = 5;

    private static final Logger log = LoggerFactory.getLogger(JobRunnerMetrics.class);

    private final MeterRegistry registry;

    public JobRunnerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void opened(String runner, JobRequests jobs) {
        if (registry.find(QUEUED).tag("runner", runner).gauge() != null) {
            return;  // a worker opened beside its runner in this process: the gauges already read the store
        }
        StoreCounts counts = new StoreCounts(jobs);
        Gauge.builder(QUEUED, counts, c -> c.of(JobStatus.QUEUED)).tag("runner", runner).strongReference(true)
                .description("Job requests queued in the store (every runner's)").register(registry);
        Gauge.builder(RUNNING, counts, c -> c.of(JobStatus.RUNNING)).tag("runner", runner).strongReference(true)
                .description("Job requests running, per the store (every runner's)").register(registry);
        Gauge.builder(WAITING, counts, c -> c.of(JobStatus.WAITING)).tag("runner", runner).strongReference(true)
                .description("Job requests waiting for the jobs they depend on (every runner's)").register(registry);
        Gauge.builder(PAUSES, counts, StoreCounts::pauses).tag("runner", runner).strongReference(true)
                .description("Queues and job types paused (every runner's)").register(registry);
        Gauge.builder(HELD, counts, StoreCounts::held).tag("runner", runner).strongReference(true)
                .description("Queued job requests a pause holds (every runner's)").register(registry);
        counts.limits = new LimitGauges(registry, runner);  // its rows appear with the first read of the gauges above
    }

    /** Per limited job type: its running jobs and its starts in the rate window, rows replaced at each read. */
    private static final class LimitGauges {
        private final io.micrometer.core.instrument.MultiGauge running;
        private final io.micrometer.core.instrument.MultiGauge started;

        LimitGauges(MeterRegistry registry, String runner) {
            running = io.micrometer.core.instrument.MultiGauge.builder(LIMITED_RUNNING).tag("runner", runner)
                    .description("Jobs running of each job type with a fleet-wide limit").register(registry);
            started = io.micrometer.core.instrument.MultiGauge.builder(LIMITED_STARTED).tag("runner", runner)
                    .description("Attempts started in the current window of each rate-limited job type").register(registry);
        }

        void update(List<io.jobrunner.JobLimit> limits) {
            running.register(limits.stream().map(limit -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("type", limit.jobType()), limit.running())).toList(), true);
            started.register(limits.stream().filter(limit -> limit.rateLimit() != null)
                    .map(limit -> io.micrometer.core.instrument.MultiGauge.Row.of(
                            io.micrometer.core.instrument.Tags.of("type", limit.jobType()), limit.startedInWindow()))
                    .toList(), true);
        }
    }

    @Override
    public void dispatched(String runner, String jobType, int count) {
        Counter.builder(DISPATCHED).tag("runner", runner).tag("type", jobType)
                .description("New job requests stored").register(registry).increment(count);
    }

    @Override
    public void attemptStarted(JobRequest request, Duration waited) {
        Timer.builder(WAIT).tag("runner", request.runner()).tag("type", request.jobType())
                .description("Time from a request being due to its attempt starting").register(registry).record(waited);
    }

    @Override
    public void attemptEnded(JobRequest request, Outcome outcome, boolean timedOut, Duration ran) {
        Timer.builder(RUN).tag("runner", request.runner()).tag("type", request.jobType())
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Job attempts, start to stored outcome").register(registry).record(ran);
        String counter = switch (outcome) {
            case SUCCEEDED -> SUCCEEDED;
            case RETRIED -> RETRIED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case RELEASED, LEASE_LOST -> null;
        };
        if (counter != null) {
            count(counter, request);
        }
        if (timedOut) {
            count(TIMED_OUT, request);
        }
    }

    private void count(String name, JobRequest request) {
        Counter.builder(name).tag("runner", request.runner()).tag("type", request.jobType()).register(registry).increment();
    }

    @Override
    public void workerStarted(WorkerStats stats) {
        Gauge.builder(SLOTS, stats, WorkerStats::slots).tag("runner", stats.runner()).strongReference(true)
                .description("Handler slots of the worker").register(registry);
        Gauge.builder(SLOTS_USED, stats, WorkerStats::slotsInUse).tag("runner", stats.runner()).strongReference(true)
                .description("Handler slots busy").register(registry);
        if (stats.messagesReceived() >= 0) {
            FunctionCounter.builder(MESSAGES_RECEIVED, stats, WorkerStats::messagesReceived).tag("runner", stats.runner())
                    .description("Messages received from the queue").register(registry);
            FunctionCounter.builder(MESSAGES_DELETED, stats, WorkerStats::messagesDeleted).tag("runner", stats.runner())
                    .description("Messages deleted from the queue").register(registry);
        }
    }

    /** The store's queued and running counts, read at most every few seconds whatever the scrape rate. */
    private static final class StoreCounts {
        private final JobRequests jobs;
        private boolean read;
        private long readAt;
        private double queued = Double.NaN;
        private double running = Double.NaN;
        private double waiting = Double.NaN;
        private double pauses = Double.NaN;
        private double held = Double.NaN;
        private LimitGauges limits;

        StoreCounts(JobRequests jobs) {
            this.jobs = jobs;
        }

        synchronized double of(JobStatus status) {
            refresh();
            return status == JobStatus.QUEUED ? queued : status == JobStatus.WAITING ? waiting : running;
        }

        synchronized double pauses() {
            refresh();
            return pauses;
        }

        synchronized double held() {
            refresh();
            return held;
        }

        private synchronized void refresh() {
            long now = System.nanoTime();
            if (!read || now - readAt > Duration.ofSeconds(COUNT_REFRESH_SECONDS).toNanos()) {
                try {
                    queued = jobs.count(JobQuery.all().withStatus(JobStatus.QUEUED));
                    running = jobs.count(JobQuery.all().withStatus(JobStatus.RUNNING));
                    waiting = jobs.count(JobQuery.all().withStatus(JobStatus.WAITING));
                    List<PausedWork> paused = jobs.paused();
                    pauses = paused.size();
                    held = paused.stream().mapToLong(PausedWork::queued).sum();
                    if (limits != null) {
                        limits.update(jobs.limits());
                    }
                } catch (RuntimeException e) {
                    log.debug("Could not count job requests for the gauges: {}", e.toString());
                    queued = Double.NaN;
                    running = Double.NaN;
                    waiting = Double.NaN;
                    pauses = Double.NaN;
                    held = Double.NaN;
                }
                read = true;
                readAt = now;
            }
        }
    }
}
