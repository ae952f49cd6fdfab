package io.jobrunner.sqs;

import io.jobrunner.JobRequest;
import io.jobrunner.JobRequestStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the messages of stored jobs that are due and not yet handed off: jobs dispatched more than
 * 15 minutes ahead (SQS delays at most that), any run-at ahead on FIFO queues (no per-message
 * delay there), and jobs whose send failed or was lost. Runs in every worker; concurrent sweeps
 * take disjoint requests.
 */
final class HandOffSweep implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(HandOffSweep.class);
    private static final int BATCH = 100;

    private final JobRequestStore store;
    private final SqsSender sender;
    private final String queueUrl;
    private final Duration staleAfter;
    private final Duration lookAhead;

    HandOffSweep(JobRequestStore store, SqsSender sender, SqsSettings settings) {
        this.store = store;
        this.sender = sender;
        this.queueUrl = settings.queueUrl();
        this.staleAfter = settings.handOffStaleAfter();
        // Send delayed messages a little before their last possible moment, never later than SQS can delay.
        this.lookAhead = sender.fifo() ? Duration.ZERO : SqsSettings.MAX_DELAY.minusSeconds(30);
    }

    @Override
    public void run() {
        try {
            List<JobRequest> due;
            do {
                Instant now = Instant.now();
                due = store.claimHandOffs(SqsRunnerProvider.NAME, queueUrl, now.plus(lookAhead), staleAfter, BATCH);
                if (!due.isEmpty()) {
                    send(due, now);
                }
            } while (due.size() == BATCH);
        } catch (RuntimeException e) {
            log.warn("Hand-off sweep failed; will try again: {}", e.toString());
        }
    }

    private void send(List<JobRequest> due, Instant now) {
        List<SqsSender.Failure> failures = sender.sendAll(due.stream().map(job -> JobMessages.outgoing(job, now)).toList());
        for (SqsSender.Failure failure : failures) {
            JobRequest job = due.get(failure.index());
            store.clearHandOff(job.id());
            log.warn("Could not send the message of job request {}; the next sweep tries again: {}", job.id(), failure.reason());
        }
        log.debug("Handed off {} job requests to {}", due.size() - failures.size(), queueUrl);
    }
}
