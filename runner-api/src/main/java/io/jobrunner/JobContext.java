package io.jobrunner;

import java.time.Duration;
import java.util.Optional;

/**
 * What a running job can ask and report: given to {@link JobHandler#run}. Valid only during that
 * call. Safe to use from the handler's thread and from threads the handler starts.
 */
public interface JobContext {

    /** The request being run, as it was when this attempt was claimed. */
    JobRequest request();

    /** The attempt number, 1 for the first. */
    int attempt();

    /**
     * Records progress on the request, visible to readers of the store at once.
     *
     * @param percent 0 to 100
     * @param message a short human-readable line, or {@code null}
     * @throws IllegalArgumentException when percent is outside 0..100
     */
    void progress(int percent, String message);

    /**
     * Writes a line to the request's log, kept with the request (see {@link JobLog}) and shown by
     * {@code jobrunner show} and the dashboard; the line also goes to this process's log (logger
     * {@code io.jobrunner.job}). Lines are stored with the next progress call or lease heartbeat,
     * and before the attempt's outcome.
     */
    void log(JobLogLine.Level level, String message);

    /** {@link #log(JobLogLine.Level, String)} at INFO. */
    default void log(String message) {
        log(JobLogLine.Level.INFO, message);
    }

    /** True once someone asked to cancel this request; the handler should stop soon and return. */
    boolean isCancelled();

    /**
     * Time left before the run is stopped: by the job policy's timeout, or by the platform (Lambda),
     * whichever comes first; empty where nothing bounds it.
     */
    Optional<Duration> remainingTime();
}
