package io.jobrunner.sqs;

import io.jobrunner.internal.NamedThreads;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Keeps received messages invisible until they are settled: every third of the visibility timeout it
 * extends each tracked message's visibility by the full timeout, so a long job is never
 * redelivered mid-run. Thread-safe.
 */
final class VisibilityHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VisibilityHeartbeat.class);

    private final SqsClient client;
    private final String queueUrl;
    private final Duration visibility;
    private final ScheduledThreadPoolExecutor scheduler;

    VisibilityHeartbeat(SqsClient client, String queueUrl, Duration visibility) {
        this.client = client;
        this.queueUrl = queueUrl;
        this.visibility = visibility;
        this.scheduler = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("sqs-visibility-heartbeat-", true));
        this.scheduler.setRemoveOnCancelPolicy(true);  // most messages settle long before their first extension
    }

    /** Starts extending the message's visibility; stop it by cancelling the returned future. */
    ScheduledFuture<?> track(Message message) {
        long period = Math.max(visibility.toMillis() / 3, 200);
        return scheduler.scheduleAtFixedRate(() -> extend(message), period, period, TimeUnit.MILLISECONDS);
    }

    private void extend(Message message) {
        try {
            client.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                    .visibilityTimeout((int) visibility.toSeconds()));
        } catch (SdkException e) {
            log.warn("Could not extend the visibility of message {}; will try again: {}", message.messageId(), e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
