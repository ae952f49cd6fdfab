package io.jobrunner;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting jobrunner reads, defined once: its variable, kind, default, who reads it and what it
 * does. Runners, workers, the function, the command and the docs all take names and defaults from
 * here; {@code docs/configuration.md} is generated from it, and a {@code JOB_RUNNER_} variable that is
 * not listed here is reported at start with the closest real name. Immutable and thread-safe.
 */
public enum Setting {

    // Choosing a runner, and what every runner shares
    RUNNER("JOB_RUNNER", Kind.TEXT, "inprocess-async", "every process",
            "Where work runs: `inprocess-async` (`inprocess`), `inprocess-sync`, `database` (`db`), `legacy`, `sqs`, `lambda-async` (`lambda`)."),
    STRICT("JOB_RUNNER_STRICT", Kind.FLAG, "false", "every process",
            "Refuse to start when a `JOB_RUNNER_` variable is not a known setting (otherwise a warning names the closest one)."),
    PAYLOADS("JOB_RUNNER_PAYLOADS", Kind.TEXT, "strict", "every process",
            "`strict`: a payload property the handler's type lacks fails the attempt; `lenient`: it is ignored."),
    PAYLOADS_IN_ERRORS("JOB_RUNNER_PAYLOADS_IN_ERRORS", Kind.FLAG, "false", "every process",
            "Quote the start of a payload that cannot be read in its error (and so in logs and the stored request)."),
    MAX_TASK_PAYLOAD_BYTES("JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES", Kind.BYTES, "262144", "producers",
            "Largest task payload, as JSON; larger ones are refused at dispatch."),
    MAX_JOB_PAYLOAD_BYTES("JOB_RUNNER_MAX_JOB_PAYLOAD_BYTES", Kind.BYTES, "1048576", "producers",
            "Largest job payload, as JSON; larger ones are refused at dispatch (store a reference to large data instead)."),
    MAX_RESULT_BYTES("JOB_RUNNER_MAX_RESULT_BYTES", Kind.BYTES, "1048576", "workers",
            "Largest job result, as JSON; an attempt whose result is larger fails, saying so."),
    MAX_ATTEMPTS("JOB_RUNNER_MAX_ATTEMPTS", Kind.WHOLE_NUMBER, "3", "producers",
            "Attempts of a job whose handler this process does not know (its policy decides otherwise)."),
    RETRY_BASE_DELAY("JOB_RUNNER_RETRY_BASE_DELAY", Kind.DURATION, "5s", "workers",
            "First retry's delay; it doubles per attempt, with jitter, up to the maximum."),
    RETRY_MAX_DELAY("JOB_RUNNER_RETRY_MAX_DELAY", Kind.DURATION, "1h", "workers", "Longest delay between attempts."),
    LEASE_TIME("JOB_RUNNER_LEASE_TIME", Kind.DURATION, "60s", "workers",
            "How long a claim holds a job before another worker may take it; heartbeats renew it."),

    // Where requests are stored
    DATABASE_URL("DATABASE_URL", Kind.TEXT, null, "every process with a store",
            "PostgreSQL for job requests: `jdbc:postgresql://host:5432/db?user=u` or `postgres://user:pass@host:5432/db` (the database name is required). Unset: the embedded store."),
    STORE("JOB_RUNNER_STORE", Kind.TEXT, null, "every process with a store",
            "`postgres`, `embedded` or `memory`. Default: `postgres` when `DATABASE_URL` is set, else `embedded`."),
    EMBEDDED_DIR("JOB_RUNNER_EMBEDDED_DIR", Kind.TEXT, ".jobrunner", "every process with a store",
            "Directory of the embedded store (SQLite); processes sharing it must name the same one."),
    DB_POOL_SIZE("JOB_RUNNER_DB_POOL_SIZE", Kind.WHOLE_NUMBER, "10", "every process with a store",
            "Connections to PostgreSQL this process may hold."),
    DB_SCHEMA("JOB_RUNNER_DB_SCHEMA", Kind.TEXT, null, "every process with a store",
            "PostgreSQL schema of the tables (created if missing). Default: the connection's search path."),
    DB_CONNECT_TIMEOUT("JOB_RUNNER_DB_CONNECT_TIMEOUT", Kind.DURATION, "5s", "every process with a store",
            "How long start-up waits for PostgreSQL before failing with the host, port and cause."),
    ALLOW_EMBEDDED_STORE("JOB_RUNNER_ALLOW_EMBEDDED_STORE", Kind.FLAG, "false", "sqs, lambda-async, sqs workers, the function",
            "Let a runner whose jobs run in other processes use the embedded store, for trying the topology on one machine with one `JOB_RUNNER_EMBEDDED_DIR`."),

    // In-process runners and workers
    CONCURRENCY("JOB_RUNNER_CONCURRENCY", Kind.WHOLE_NUMBER, "8", "inprocess-async, workers",
            "`inprocess-async` task threads, and as many job threads; handler slots of database and SQS workers."),
    ISOLATED_JVMS("JOB_RUNNER_ISOLATED_JVMS", Kind.WHOLE_NUMBER, "2", "inprocess-async, workers",
            "Child JVMs that run isolated jobs (`JobPolicy.Builder.isolated`) at once per runner or worker, started on first need and reused."),
    QUEUE_CAPACITY("JOB_RUNNER_QUEUE_CAPACITY", Kind.WHOLE_NUMBER, "10000", "inprocess-async",
            "`inprocess-async` tasks waiting for a thread before callers block."),
    DISPATCH_TIMEOUT("JOB_RUNNER_DISPATCH_TIMEOUT", Kind.DURATION, "30s", "inprocess-async",
            "How long a dispatch waits for room in a full task queue before it is refused."),
    SHUTDOWN_TIMEOUT("JOB_RUNNER_SHUTDOWN_TIMEOUT", Kind.DURATION, "30s", "in-process runners, workers",
            "How long close() lets running work finish before interrupting it and releasing what is left."),
    RECOVERY_INTERVAL("JOB_RUNNER_RECOVERY_INTERVAL", Kind.DURATION, "30s", "in-process runners, workers",
            "How often orphaned and abandoned requests (expired leases) are looked for, and retention is swept."),
    POLL_INTERVAL("JOB_RUNNER_POLL_INTERVAL", Kind.DURATION, "1s", "database workers",
            "How often a worker looks for due jobs when no notification woke it."),
    CLAIM_BATCH("JOB_RUNNER_CLAIM_BATCH", Kind.WHOLE_NUMBER, null, "inprocess-async, database workers",
            "Most requests claimed per statement and waiting for a thread. Default: 200, or twice the concurrency when that is more."),
    WORKER_TYPES("JOB_RUNNER_WORKER_TYPES", Kind.NAMES, null, "database workers",
            "Comma-separated job types this worker runs. Default: every type it has a handler for."),
    WORKER_QUEUES("JOB_RUNNER_WORKER_QUEUES", Kind.NAMES, null, "database workers",
            "Comma-separated queues this worker takes jobs from (jobs without a queue are then left to other workers). Default: all."),

    // Spoke's legacy runner
    JOBS_SAME_PROCESS("JOBS_SAME_PROCESS", Kind.FLAG, "false", "legacy",
            "Run jobs in this process; otherwise only store them for a `database` worker."),
    JOBS_SYNC("JOBS_SYNC", Kind.FLAG, "false", "legacy", "Run jobs on the caller's thread (with `JOBS_SAME_PROCESS`)."),
    TASKS_SYNC("TASKS_SYNC", Kind.FLAG, "false", "legacy, database", "Run tasks on the caller's thread."),

    // Recurring jobs
    SCHEDULER("JOB_RUNNER_SCHEDULER", Kind.FLAG, null, "every runner and worker",
            "Fire due recurring jobs on a timer. Default: on in in-process runners and workers, off in producers."),
    SCHEDULER_INTERVAL("JOB_RUNNER_SCHEDULER_INTERVAL", Kind.DURATION, "1s", "every runner and worker",
            "How often the timer looks for due recurring jobs."),
    SCHEDULE_GRACE("JOB_RUNNER_SCHEDULE_GRACE", Kind.DURATION, "2m", "every runner and worker",
            "How late an occurrence may fire before it counts as missed."),

    // Retention
    RETENTION("JOB_RUNNER_RETENTION", Kind.DURATION_OR_OFF, "14d", "in-process runners, workers, the function",
            "How long finished requests are kept; `0` or `off` keeps them all."),
    RETENTION_SUCCEEDED("JOB_RUNNER_RETENTION_SUCCEEDED", Kind.DURATION_OR_OFF, null,
            "in-process runners, workers, the function", "Retention of succeeded requests. Default: `JOB_RUNNER_RETENTION`."),
    RETENTION_FAILED("JOB_RUNNER_RETENTION_FAILED", Kind.DURATION_OR_OFF, null, "in-process runners, workers, the function",
            "Retention of failed and cancelled requests. Default: `JOB_RUNNER_RETENTION`."),

    // SQS
    SQS_QUEUE_URL("JOB_RUNNER_SQS_QUEUE_URL", Kind.TEXT, null, "sqs, sqs workers",
            "URL of the queue jobs and tasks are sent to (required for `sqs`)."),
    SQS_MESSAGE_GROUP("JOB_RUNNER_SQS_MESSAGE_GROUP", Kind.TEXT, "default", "sqs",
            "FIFO queues: the message group of jobs without a queue name, and of tasks."),
    SQS_MAX_MESSAGE_BYTES("JOB_RUNNER_SQS_MAX_MESSAGE_BYTES", Kind.BYTES, "262144", "sqs",
            "Largest task message, envelope included (at most 1 MiB)."),
    SQS_POLLERS("JOB_RUNNER_SQS_POLLERS", Kind.WHOLE_NUMBER, "2", "sqs workers", "Threads receiving from the queue."),
    SQS_PREFETCH("JOB_RUNNER_SQS_PREFETCH", Kind.WHOLE_NUMBER_OR_ZERO, "200", "sqs workers",
            "Most messages a worker holds ahead of its threads (`0`: only as many as free threads)."),
    SQS_WAIT_TIME("JOB_RUNNER_SQS_WAIT_TIME", Kind.DURATION, "20s", "sqs workers", "Long-poll wait of one receive."),
    SQS_VISIBILITY_TIMEOUT("JOB_RUNNER_SQS_VISIBILITY_TIMEOUT", Kind.DURATION, null, "sqs workers",
            "Visibility asked for on each receive and extended by the heartbeat. Default: the queue's own."),
    HANDOFF_INTERVAL("JOB_RUNNER_HANDOFF_INTERVAL", Kind.DURATION, "10s", "sqs workers",
            "How often each worker sends due, delayed or unsent jobs."),
    HANDOFF_STALE_AFTER("JOB_RUNNER_HANDOFF_STALE_AFTER", Kind.DURATION, "30m", "sqs, lambda-async",
            "A job due and handed off this long ago but still queued is sent (or invoked) again."),
    HANDOFF_SYNC("JOB_RUNNER_HANDOFF_SYNC", Kind.FLAG, "false", "sqs, lambda-async",
            "`true`: `dispatchJob` returns once the job's message is sent (or the function invoked). `false`: once"
                    + " the job is stored; a background sender sends within milliseconds, several to a batch, and the"
                    + " hand-off sweep covers a process that stops first."),

    // Lambda
    LAMBDA_FUNCTION("JOB_RUNNER_LAMBDA_FUNCTION", Kind.TEXT, null, "lambda-async, the function",
            "Name, ARN or alias of the function that runs the work. Inside a function: that function."),
    LAMBDA_MAX_PAYLOAD_BYTES("JOB_RUNNER_LAMBDA_MAX_PAYLOAD_BYTES", Kind.BYTES, "262144", "lambda-async",
            "Largest asynchronous invocation payload."),
    LAMBDA_MAX_INLINE_WAIT("JOB_RUNNER_LAMBDA_MAX_INLINE_WAIT", Kind.DURATION, "10s", "the function",
            "A job retry or run-at this close is waited for inside the invocation; later ones go to the sweep."),

    // Dashboard and command
    DASHBOARD_HOST("JOB_RUNNER_DASHBOARD_HOST", Kind.TEXT, "127.0.0.1", "dashboard",
            "Address the dashboard binds to; beyond loopback it needs credentials."),
    DASHBOARD_PORT("JOB_RUNNER_DASHBOARD_PORT", Kind.WHOLE_NUMBER_OR_ZERO, "8090", "dashboard",
            "Port of the dashboard (`0`: any free port)."),
    DASHBOARD_TOKEN("JOB_RUNNER_DASHBOARD_TOKEN", Kind.TEXT, null, "dashboard",
            "A token (16+ characters) every dashboard request must carry, as a bearer token or basic-auth password."),
    DASHBOARD_USER("JOB_RUNNER_DASHBOARD_USER", Kind.TEXT, null, "dashboard", "Basic-auth user every dashboard request must carry (with the password)."),
    DASHBOARD_PASSWORD("JOB_RUNNER_DASHBOARD_PASSWORD", Kind.TEXT, null, "dashboard",
            "Basic-auth password every dashboard request must carry (with the user)."),
    HANDLERS("JOB_RUNNER_HANDLERS", Kind.TEXT, null, "jobrunner worker",
            "A HandlerSource class of the application that builds its handlers (default: those in META-INF/services)."),
    CLASSPATH("JOBRUNNER_CLASSPATH", Kind.TEXT, null, "jobrunner worker",
            "The application's jars and classes, for the stock worker to find its handlers."),

    // The project's own tests
    TEST_DATABASE_URL("JOB_RUNNER_TEST_DATABASE_URL", Kind.TEXT, "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            "tests", "PostgreSQL the test suite uses (each test class gets its own schema)."),
    CONTRACT_EFFECTS_URL("JOB_RUNNER_CONTRACT_EFFECTS_URL", Kind.TEXT, null, "tests",
            "Set by the contract tests for the processes they start: where their handlers report what ran.");

    /** What values a setting takes. */
    public enum Kind {
        TEXT("text"),
        FLAG("true/false"),
        WHOLE_NUMBER("whole number ≥ 1"),
        WHOLE_NUMBER_OR_ZERO("whole number ≥ 0"),
        BYTES("bytes"),
        DURATION("duration"),
        DURATION_OR_OFF("duration or off"),
        NAMES("comma-separated names");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** How the docs describe the kind, e.g. {@code "duration"}. */
        public String description() {
            return description;
        }
    }

    private static final Map<String, Setting> BY_VARIABLE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Setting::variable, Function.identity()));

    private final String variable;
    private final Kind kind;
    private final String defaultValue;
    private final String readBy;
    private final String description;

    Setting(String variable, Kind kind, String defaultValue, String readBy, String description) {
        this.variable = variable;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.readBy = readBy;
        this.description = description;
    }

    /** The environment variable, e.g. {@code JOB_RUNNER_CONCURRENCY}. */
    public String variable() {
        return variable;
    }

    public Kind kind() {
        return kind;
    }

    /** The value used when the setting is unset, as text; empty when there is none or it is worked out (see the description). */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** Which processes read it, e.g. {@code "sqs workers"}. */
    public String readBy() {
        return readBy;
    }

    /** One line on what it does. */
    public String description() {
        return description;
    }

    /** The smallest whole number the setting takes (for whole-number kinds). */
    public int minimum() {
        return kind == Kind.WHOLE_NUMBER_OR_ZERO ? 0 : 1;
    }

    /** The setting of a variable name, if jobrunner has one. */
    public static Optional<Setting> of(String variable) {
        return Optional.ofNullable(BY_VARIABLE.get(variable));
    }

    /**
     * The known setting closest to a variable name that is not one, for "did you mean": the one
     * fewest edits away, when that is close enough to be a slip (a few letters).
     */
    public static Optional<Setting> closestTo(String variable) {
        String wanted = variable.toUpperCase(Locale.ROOT);
        Setting best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Setting setting : values()) {
            int distance = editDistance(wanted, setting.variable);
            if (distance < bestDistance) {
                best = setting;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(2, wanted.length() / 4);
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
