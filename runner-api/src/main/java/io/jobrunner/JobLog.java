package io.jobrunner;

import java.util.List;

/**
 * The lines a request's handler wrote with {@link JobContext#log}, oldest first, across its
 * attempts. A request keeps its last {@value #MAX_LINES} lines; older ones are dropped and counted.
 * Immutable.
 *
 * @param lines   the lines kept, oldest first
 * @param dropped how many older lines were dropped to stay within {@value #MAX_LINES}
 */
public record JobLog(List<JobLogLine> lines, long dropped) {

    /** Lines kept per request. */
    public static final int MAX_LINES = 200;

    public JobLog {
        lines = List.copyOf(lines);
    }

    public static JobLog empty() {
        return new JobLog(List.of(), 0);
    }
}
