package io.jobrunner.sqs;

import io.jobrunner.JobRequest;
import io.jobrunner.Setting;
import io.jobrunner.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * How {@code sqs} hands work off: a message per task or job, sent alone or in batches of ten. Jobs
 * are delayed in the queue up to SQS's 15 minutes (not at all on FIFO queues, which have no
 * per-message delay); later ones wait in the store for the sweep. Thread-safe.
 */
final class SqsTransport implements Transport {

    private final SqsSettings settings;
    private final SqsClient client;
    private final boolean ownsClient;
    private final SqsSender sender;

    /** @param ownsClient whether {@link #close()} closes the client (false for one the application passed) */
    SqsTransport(SqsSettings settings, SqsClient client, boolean ownsClient) {
        this.settings = settings;
        this.client = client;
        this.ownsClient = ownsClient;
        this.sender = new SqsSender(client, settings);
    }

    @Override
    public String runnerName() {
        return SqsRunnerProvider.NAME;
    }

    @Override
    public String target() {
        return settings.queueUrl();
    }

    @Override
    public long maxTaskBytes() {
        return settings.maxMessageBytes();
    }

    @Override
    public String maxTaskBytesLimit() {
        return "the SQS message limit, " + Setting.SQS_MAX_MESSAGE_BYTES.variable();
    }

    /** Due within SQS's delay limit (due now, on FIFO queues). */
    @Override
    public boolean sendsNow(Instant runAt, Instant now) {
        if (runAt == null || !runAt.isAfter(now)) {
            return true;
        }
        return !sender.fifo() && Duration.between(now, runAt).compareTo(SqsSettings.MAX_DELAY) <= 0;
    }

    /** A little before the last moment SQS can still delay a message; nothing ahead on FIFO queues. */
    @Override
    public Duration sweepLookAhead() {
        return sender.fifo() ? Duration.ZERO : SqsSettings.MAX_DELAY.minusSeconds(30);
    }

    @Override
    public Duration handOffStaleAfter() {
        return settings.handOffStaleAfter();
    }

    /** No: a running job's message stays in the queue and comes back when its worker dies. */
    @Override
    public boolean requeuesAbandoned() {
        return false;
    }

    /** SQS workers register themselves: a job whose type none of them takes waits in the queue. */
    @Override
    public boolean workersRegister() {
        return true;
    }

    /**
     * Reads the queue's ARN: one round trip. A queue that does not exist, or an SQS that cannot be
     * reached, is a problem; access denied is not (a producer may only send), since SQS answered.
     */
    @Override
    public Optional<String> unreachable() {
        try {
            client.getQueueAttributes(b -> b.queueUrl(settings.queueUrl()).attributeNames(QueueAttributeName.QUEUE_ARN));
            return Optional.empty();
        } catch (QueueDoesNotExistException e) {
            return Optional.of("the queue " + settings.queueUrl() + " does not exist (JOB_RUNNER_SQS_QUEUE_URL)");
        } catch (AwsServiceException e) {
            if (e.statusCode() == 403) {
                return Optional.empty();
            }
            return Optional.of("SQS answered " + e.statusCode() + " about " + settings.queueUrl() + ": "
                    + e.awsErrorDetails().errorMessage());
        } catch (SdkException | IllegalStateException e) {
            return Optional.of("SQS cannot be reached for " + settings.queueUrl() + ": " + e.getMessage());
        }
    }

    @Override
    public List<Failure> sendTasks(List<String> envelopes, String traceParent) {
        List<SqsSender.Outgoing> messages = envelopes.stream()
                .map(envelope -> SqsSender.Outgoing.task(envelope, traceParent)).toList();
        return messages.size() == 1 ? sendOne(messages.get(0)) : sender.sendAll(messages);
    }

    @Override
    public List<Failure> sendJobs(List<JobRequest> jobs, Instant now) {
        List<SqsSender.Outgoing> messages = jobs.stream().map(job -> JobMessages.outgoing(job, now)).toList();
        return messages.size() == 1 ? sendOne(messages.get(0)) : sender.sendAll(messages);
    }

    private List<Failure> sendOne(SqsSender.Outgoing message) {
        try {
            sender.send(message);
            return List.of();
        } catch (SdkException e) {
            return List.of(new Failure(0, "SQS did not accept the message: " + e.getMessage(), e));
        }
    }

    @Override
    public void close() {
        sender.close();
        if (ownsClient) {
            client.close();
        }
    }
}
