package io.jobrunner;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A worker process as it registered itself in the store: database and SQS workers write this row
 * when they start, renew it every {@link #HEARTBEAT} while they run, and remove it when they stop.
 * One that stopped without removing it (killed) stays listed, no longer {@link #live()}, until it
 * has not been seen for a day. Read with {@link JobRequests#workers()}, {@code jobrunner workers}
 * and the dashboard's Workers page. Immutable.
 *
 * @param id         the worker's lease owner id, as in each attempt's history
 * @param host       the machine it runs on
 * @param runner     the runner whose jobs it takes ({@code database}, {@code sqs})
 * @param target     where it takes them from when the runner hands them off (the SQS queue URL), or {@code null}
 * @param jobTypes   the job types it has handlers for and takes
 * @param queues     the job queues it takes (empty: every queue)
 * @param slots      how many jobs it runs at once
 * @param startedAt  when it registered, by the database's clock ({@code null} before it is stored)
 * @param lastSeenAt when it last renewed its row, by the database's clock ({@code null} before it is stored)
 * @param live       seen within {@link #LIVE_WITHIN}, by the database's clock
 */
public record JobWorker(String id, String host, String runner, String target, Set<String> jobTypes, Set<String> queues,
                        int slots, Instant startedAt, Instant lastSeenAt, boolean live) {

    /** How often a running worker renews its row. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** A worker not seen for this long (three heartbeats) is not live: stopped, frozen or cut off. */
    public static final Duration LIVE_WITHIN = HEARTBEAT.multipliedBy(3);
    /** A worker not seen for this long is forgotten. */
    public static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);
    /** The runners whose jobs are run by registered workers: a job of these waits until one takes it. */
    public static final Set<String> REGISTERING_RUNNERS = Set.of("database", "sqs");

    public JobWorker {
        jobTypes = Set.copyOf(jobTypes);
        queues = Set.copyOf(queues);
    }

    /** The row a worker registers: who and what it takes; the store adds the times. */
    public static JobWorker registering(String id, String host, String runner, String target, Set<String> jobTypes,
                                        Set<String> queues, int slots) {
        return new JobWorker(id, host, runner, target, jobTypes, queues, slots, null, null, true);
    }

    /** True when this worker takes a job of this type, queue, runner and hand-off target. */
    public boolean takes(String jobType, String queueName, String jobRunner, String handOffTarget) {
        return runner.equals(jobRunner) && jobTypes.contains(jobType)
                && (queues.isEmpty() || queueName != null && queues.contains(queueName))
                && (target == null || target.equals(handOffTarget));
    }
}
