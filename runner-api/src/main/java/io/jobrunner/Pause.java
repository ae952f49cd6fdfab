package io.jobrunner;

import java.util.Locale;
import java.util.Objects;

/**
 * What can be paused: a queue or a job type. While paused, no runner, worker or function of any
 * process sharing the store starts one of its jobs — every claim checks — so they stay queued (and
 * counted) until resumed; running jobs finish. Pause and resume with {@link JobRequests#pause(Pause)}
 * and {@link JobRequests#resume(Pause)}. Immutable.
 *
 * @param kind what {@code name} names
 * @param name the queue's name as dispatched ({@value #DEFAULT_QUEUE} for jobs dispatched without
 *             one), or the job type
 */
public record Pause(Kind kind, String name) {

    /** The name of the default queue, where jobs dispatched without a queue name go. */
    public static final String DEFAULT_QUEUE = "default";

    /** What a pause applies to. */
    public enum Kind {
        QUEUE,
        JOB_TYPE;

        /** The lower-case name stored in the database: {@code queue} or {@code type}. */
        public String dbValue() {
            return this == QUEUE ? "queue" : "type";
        }

        /** Parses a stored value, {@code queue} or {@code type}. */
        public static Kind fromDbValue(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "queue" -> QUEUE;
                case "type" -> JOB_TYPE;
                default -> throw new IllegalArgumentException("Unknown pause kind '" + value + "': expected queue or type");
            };
        }
    }

    public Pause {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A pause needs the " + (kind == Kind.QUEUE ? "queue's name (\""
                    + DEFAULT_QUEUE + "\" for the default queue)" : "job type") + ", got " + (name == null ? "null" : "'" + name + "'"));
        }
    }

    /** The queue {@code name}; {@value #DEFAULT_QUEUE} is the queue of jobs dispatched without one. */
    public static Pause queue(String name) {
        return new Pause(Kind.QUEUE, name);
    }

    /** Every job of the type, whatever its queue. */
    public static Pause jobType(String jobType) {
        return new Pause(Kind.JOB_TYPE, jobType);
    }

    /** True when this pause holds the request: it names the request's job type, or its queue. */
    public boolean holds(JobRequest request) {
        return kind == Kind.JOB_TYPE ? name.equals(request.jobType())
                : name.equals(request.queueName() == null ? DEFAULT_QUEUE : request.queueName());
    }

    @Override
    public String toString() {
        return (kind == Kind.QUEUE ? "queue " : "job type ") + name;
    }
}
