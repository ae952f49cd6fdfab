package io.jobrunner.testkit;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobPolicy;
import io.jobrunner.TaskHandler;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The handlers {@link JobRunnerContractTest} dispatches to. Each leaves its effects in a
 * {@link ContractEffects}; the public no-arg constructors (for {@code ServiceLoader}, in worker
 * processes) take it from the environment.
 */
public final class ContractHandlers {

    public record Greeting(String name, int n) {
    }

    public record Numbers(List<Integer> values) {
    }

    public record Flaky(String key, int failures) {
    }

    /** For "slow": a cooperative run sleeps and stops when interrupted; another ignores interrupts. */
    public record Slow(String key, boolean cooperative) {
    }

    /** The job handler classes, for worker processes that discover them through {@code META-INF/services}. */
    public static final List<Class<? extends JobHandler<?>>> JOB_HANDLER_CLASSES = List.of(Sum.class, FlakyJob.class,
            Count.class, Remaining.class, UntilCancelled.class, Spaced.class, Fragile.class, Picky.class, SlowJob.class,
            Logged.class, Exclusive.class, OnePerKey.class, Rated.class, Isolated.class);

    private ContractHandlers() {
    }

    public static HandlerRegistry registry(ContractEffects effects) {
        return HandlerRegistry.builder().task(new Greet(effects)).job(new Sum()).job(new FlakyJob(effects))
                .job(new Count(effects)).job(new Remaining()).job(new UntilCancelled(effects))
                .job(new Spaced(effects)).job(new Fragile(effects)).job(new Picky(effects)).job(new SlowJob(effects))
                .job(new Logged()).job(new Exclusive(effects)).job(new OnePerKey(effects))
                .job(new Rated(effects)).job(new Isolated()).build();
    }

    /** Task "greet": records "name:n". */
    public static final class Greet implements TaskHandler<Greeting> {
        private final ContractEffects effects;

        public Greet() {
            this(ContractEffects.fromEnvironment());
        }

        Greet(ContractEffects effects) {
            this.effects = effects;
        }

        @Override
        public String name() {
            return "greet";
        }

        @Override
        public Class<Greeting> payloadType() {
            return Greeting.class;
        }

        @Override
        public void run(Greeting greeting) {
            effects.record("greet", greeting.name() + ":" + greeting.n());
        }
    }

    /**
     * Job "logged": writes two lines to its request's log, and returns the MDC it ran under
     * ({"jobId", "jobType", "jobAttempt"}), so a test sees both wherever the job ran.
     */
    public static final class Logged implements JobHandler<Integer> {
        @Override
        public String type() {
            return "logged";
        }

        @Override
        public Class<Integer> payloadType() {
            return Integer.class;
        }

        @Override
        public Object run(Integer n, JobContext context) {
            context.log("starting " + n);
            context.log(JobLogLine.Level.WARN, "half way");
            Map<String, String> mdc = new java.util.TreeMap<>();
            for (String key : List.of("jobId", "jobType", "jobAttempt")) {
                mdc.put(key, String.valueOf(MDC.get(key)));
            }
            return mdc;
        }
    }

    /** Job "sum": reports progress, returns {"sum": total}. */
    public static final class Sum implements JobHandler<Numbers> {
        @Override
        public String type() {
            return "sum";
        }

        @Override
        public Class<Numbers> payloadType() {
            return Numbers.class;
        }

        @Override
        public Object run(Numbers numbers, JobContext context) {
            context.progress(50, "adding " + numbers.values().size() + " numbers");
            return Map.of("sum", numbers.values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    /** Job "flaky": fails its first {@code failures} runs per key, then returns "ok after N". */
    public static final class FlakyJob implements JobHandler<Flaky> {
        private final ContractEffects effects;

        public FlakyJob() {
            this(ContractEffects.fromEnvironment());
        }

        FlakyJob(ContractEffects effects) {
            this.effects = effects;
        }

        @Override
        public String type() {
            return "flaky";
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().idempotent().build();
        }

        @Override
        public Class<Flaky> payloadType() {
            return Flaky.class;
        }

        @Override
        public Object run(Flaky flaky, JobContext context) {
            int run = effects.increment(flaky.key());
            if (run <= flaky.failures()) {
                throw new IllegalStateException("flaky failure " + run + " of " + flaky.failures());
            }
            return "ok after " + run;
        }
    }

    /** Job "remaining": returns the milliseconds the platform leaves the run, or -1 where nothing bounds it. */
    public static final class Remaining implements JobHandler<String> {
        @Override
        public String type() {
            return "remaining";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public Object run(String ignored, JobContext context) {
            return context.remainingTime().map(java.time.Duration::toMillis).orElse(-1L);
        }
    }

    /**
     * Job "until-cancelled": records "started" with its key, then reports progress every 50 ms until
     * it sees the cancel request (at most 30 s).
     */
    public static final class UntilCancelled implements JobHandler<String> {
        private final ContractEffects effects;

        public UntilCancelled() {
            this(ContractEffects.fromEnvironment());
        }

        UntilCancelled(ContractEffects effects) {
            this.effects = effects;
        }

        @Override
        public String type() {
            return "until-cancelled";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public Object run(String key, JobContext context) throws InterruptedException {
            effects.record("started", key);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            for (int tick = 1; System.nanoTime() < deadline; tick++) {
                context.progress(Math.min(tick, 99), "waiting to be cancelled");
                if (context.isCancelled()) {
                    return "stopped after " + tick + " ticks";
                }
                Thread.sleep(50);
            }
            return "never cancelled";
        }
    }

    /** Job "count": counts a run under its payload key. */
    public static final class Count implements JobHandler<String> {
        private final ContractEffects effects;

        public Count() {
            this(ContractEffects.fromEnvironment());
        }

        Count(ContractEffects effects) {
            this.effects = effects;
        }

        @Override
        public String type() {
            return "count";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public Object run(String key, JobContext context) {
            return effects.increment(key);
        }
    }

    /** A job handler that leaves effects, with the payload type and policy its subclass gives. */
    abstract static class EffectsJob<P> implements JobHandler<P> {
        final ContractEffects effects;
        private final String type;
        private final Class<P> payloadType;
        private final JobPolicy policy;

        EffectsJob(ContractEffects effects, String type, Class<P> payloadType, JobPolicy policy) {
            this.effects = effects;
            this.type = type;
            this.payloadType = payloadType;
            this.policy = policy;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<P> payloadType() {
            return payloadType;
        }

        @Override
        public JobPolicy policy() {
            return policy;
        }
    }

    /** Job "spaced": idempotent, 3 attempts with 300 ms then 600 ms backoff (before jitter); always fails. */
    public static final class Spaced extends EffectsJob<String> {
        public static final java.time.Duration BACKOFF = java.time.Duration.ofMillis(300);

        public Spaced() {
            this(ContractEffects.fromEnvironment());
        }

        Spaced(ContractEffects effects) {
            super(effects, "spaced", String.class, JobPolicy.builder().idempotent().maxAttempts(3)
                    .backoff(BACKOFF, java.time.Duration.ofSeconds(5)).build());
        }

        @Override
        public Object run(String key, JobContext context) {
            throw new IllegalStateException("spaced failure " + effects.increment(key));
        }
    }

    /** Job "fragile": the default policy, so not idempotent and never retried; always fails. */
    public static final class Fragile extends EffectsJob<String> {
        public Fragile() {
            this(ContractEffects.fromEnvironment());
        }

        Fragile(ContractEffects effects) {
            super(effects, "fragile", String.class, JobPolicy.defaults());
        }

        @Override
        public Object run(String key, JobContext context) {
            throw new IllegalStateException("fragile failure " + effects.increment(key));
        }
    }

    /** Job "picky": idempotent, but never retried on IllegalArgumentException, which it throws. */
    public static final class Picky extends EffectsJob<String> {
        public Picky() {
            this(ContractEffects.fromEnvironment());
        }

        Picky(ContractEffects effects) {
            super(effects, "picky", String.class, JobPolicy.builder().idempotent().maxAttempts(5)
                    .abortOn(IllegalArgumentException.class).build());
        }

        @Override
        public Object run(String key, JobContext context) {
            throw new IllegalArgumentException("picky refuses input " + effects.increment(key));
        }
    }

    /**
     * Job "slow": times out after {@link #TIMEOUT}. Records "started" and "budget" (key:remaining ms);
     * a cooperative run then sleeps and records "interrupted" when the timeout interrupts it; another
     * spins for 3 s ignoring interrupts, records "late" and returns a result that must not be stored.
     */
    public static final class SlowJob extends EffectsJob<Slow> {
        public static final java.time.Duration TIMEOUT = java.time.Duration.ofMillis(400);

        public SlowJob() {
            this(ContractEffects.fromEnvironment());
        }

        SlowJob(ContractEffects effects) {
            super(effects, "slow", Slow.class, JobPolicy.builder().timeout(TIMEOUT).build());
        }

        @Override
        public Object run(Slow slow, JobContext context) {
            effects.record("started", slow.key());
            long budget = context.remainingTime().map(java.time.Duration::toMillis).orElse(-1L);
            effects.record("budget", slow.key() + ":" + budget);
            if (slow.cooperative()) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    effects.record("interrupted", slow.key());
                    Thread.currentThread().interrupt();
                }
                return "woke up";
            }
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(3000);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            effects.record("late", slow.key());
            return "late result";
        }
    }

    /**
     * Job "exclusive" (at most one running across the fleet): records "exclusive" with its run's wall-clock
     * interval {@code "key:startMs:endMs"}, holding it for the payload's milliseconds.
     */
    public static final class Exclusive extends EffectsJob<Held> {
        public Exclusive() {
            this(ContractEffects.fromEnvironment());
        }

        Exclusive(ContractEffects effects) {
            super(effects, "exclusive", Held.class, JobPolicy.builder().maxRunning(1).build());
        }

        @Override
        public Object run(Held held, JobContext context) throws InterruptedException {
            return Held.hold(effects, "exclusive", held);
        }
    }

    /** Job "rated" (at most {@link #STARTS} started in any {@link #WINDOW}): counts a run under its payload key. */
    public static final class Rated extends EffectsJob<String> {
        public static final int STARTS = 2;
        public static final java.time.Duration WINDOW = java.time.Duration.ofSeconds(3);

        public Rated() {
            this(ContractEffects.fromEnvironment());
        }

        Rated(ContractEffects effects) {
            super(effects, "rated", String.class, JobPolicy.builder().rateLimit(STARTS, WINDOW).build());
        }

        @Override
        public Object run(String key, JobContext context) {
            return effects.increment(key);
        }
    }

    /**
     * Job "isolated" (runs in a child JVM of 64 MB): returns the pid of the process it ran in; with a
     * payload of "hog", fills its heap until it runs out.
     */
    public static final class Isolated implements JobHandler<String> {
        @Override
        public String type() {
            return "isolated";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("64m").build();
        }

        @Override
        public Object run(String what, JobContext context) {
            if (what.equals("hog")) {
                List<byte[]> kept = new java.util.ArrayList<>();
                while (true) {
                    kept.add(new byte[1 << 20]);
                }
            }
            return ProcessHandle.current().pid();
        }
    }

    /** Job "one-per-key" (at most one running per concurrency key): records "one-per-key" as {@link Exclusive} does. */
    public static final class OnePerKey extends EffectsJob<Held> {
        public OnePerKey() {
            this(ContractEffects.fromEnvironment());
        }

        OnePerKey(ContractEffects effects) {
            super(effects, "one-per-key", Held.class, JobPolicy.builder().maxRunningPerKey(1).build());
        }

        @Override
        public Object run(Held held, JobContext context) throws InterruptedException {
            return Held.hold(effects, "one-per-key", held);
        }
    }

    /** A run that holds its place for {@code millis}, named {@code key}. */
    public record Held(String key, int millis) {
        static String hold(ContractEffects effects, String kind, Held held) throws InterruptedException {
            long start = System.currentTimeMillis();
            Thread.sleep(held.millis());
            effects.record(kind, held.key() + ":" + start + ":" + System.currentTimeMillis());
            return held.key();
        }
    }
}
