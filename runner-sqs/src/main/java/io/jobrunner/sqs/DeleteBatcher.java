package io.jobrunner.sqs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Deletes finished messages in batches of up to ten, waiting at most a few milliseconds to fill a
 * batch. A delete that fails only means the message comes back; its request is then found
 * finished and the message is deleted again. Thread-safe.
 */
final class DeleteBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeleteBatcher.class);
    private static final long LINGER_MILLIS = 20;
    private static final Message STOP = Message.builder().messageId("stop").build();

    private final SqsClient client;
    private final String queueUrl;
    private final LinkedBlockingQueue<Message> pending = new LinkedBlockingQueue<>();
    private final Thread flusher;

    private final AtomicLong deleted = new AtomicLong();

    DeleteBatcher(SqsClient client, String queueUrl) {
        this.client = client;
        this.queueUrl = queueUrl;
        this.flusher = new Thread(this::run, "sqs-delete-batcher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    void delete(Message message) {
        pending.add(message);
    }

    private void run() {
        try {
            while (true) {
                List<Message> batch = new ArrayList<>(10);
                Message first = pending.take();
                boolean stop = first == STOP;
                if (!stop) {
                    batch.add(first);
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
                while (!stop && batch.size() < 10) {
                    Message next = pending.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    stop = next == STOP;
                    if (!stop) {
                        batch.add(next);
                    }
                }
                flush(batch);
                if (stop) {
                    List<Message> rest = new ArrayList<>();
                    pending.drainTo(rest);
                    for (int i = 0; i < rest.size(); i += 10) {
                        flush(rest.subList(i, Math.min(i + 10, rest.size())));
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void flush(List<Message> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i))
                    .receiptHandle(batch.get(i).receiptHandle()).build());
        }
        try {
            DeleteMessageBatchResponse response = client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            deleted.addAndGet(entries.size() - response.failed().size());
            response.failed().forEach(error -> log.warn("Could not delete message {}: {} {}; it will come back and be "
                    + "deleted then", batch.get(Integer.parseInt(error.id())).messageId(), error.code(), error.message()));
        } catch (SdkException e) {
            log.warn("Could not delete {} messages; they will come back and be deleted then: {}", batch.size(), e.getMessage());
        }
    }

    /** Messages deleted since start. */
    long deleted() {
        return deleted.get();
    }

    /** Sends what is pending and stops. */
    @Override
    public void close() {
        pending.add(STOP);
        try {
            flusher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
