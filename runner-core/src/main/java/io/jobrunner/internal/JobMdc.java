package io.jobrunner.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The SLF4J MDC keys set while a handler runs, so every line it (or the library) logs on that
 * thread names the job: {@value #JOB_ID}, {@value #JOB_TYPE}, {@value #ATTEMPT}; for a task,
 * {@value #TASK}. {@link Scope#close()} puts back what the thread had before (a sync runner
 * runs jobs on the application's own thread).
 */
public final class JobMdc {

    public static final String JOB_ID = "jobId";
    public static final String JOB_TYPE = "jobType";
    public static final String ATTEMPT = "jobAttempt";
    public static final String TASK = "taskName";

    private JobMdc() {
    }

    /** The keys of a running job attempt, until the scope closes. */
    public static Scope job(long id, String type, int attempt) {
        return set(Map.of(JOB_ID, String.valueOf(id), JOB_TYPE, type, ATTEMPT, String.valueOf(attempt)));
    }

    /** The key of a running task, until the scope closes. */
    public static Scope task(String name) {
        return set(Map.of(TASK, name));
    }

    private static Scope set(Map<String, String> values) {
        Map<String, String> previous = new HashMap<>();
        values.forEach((key, value) -> {
            previous.put(key, MDC.get(key));
            MDC.put(key, value);
        });
        return new Scope(previous);
    }

    /** Puts back the values the keys had. */
    public static final class Scope implements AutoCloseable {
        private final Map<String, String> previous;

        private Scope(Map<String, String> previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            previous.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }
}
