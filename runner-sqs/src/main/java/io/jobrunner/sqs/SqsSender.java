package io.jobrunner.sqs;

import io.jobrunner.internal.NamedThreads;
import io.jobrunner.spi.Transport.Failure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends envelopes to the queue: one at a time, or in batches of up to ten that also stay under
 * SQS's batch size limit. On FIFO queues it sets the message group and deduplication id, and
 * sends no per-message delay (FIFO queues have none). Thread-safe.
 */
final class SqsSender {

    /** The message attribute that carries the work's trace context, as W3C propagation names it. */
    static final String TRACE_PARENT = "traceparent";

    /** A message to send; {@code traceParent} (or {@code null}) becomes its {@value #TRACE_PARENT} attribute. */
    record Outgoing(String body, String group, String deduplicationId, int delaySeconds, String traceParent) {
        static Outgoing task(String body, String traceParent) {
            return new Outgoing(body, null, UUID.randomUUID().toString(), 0, traceParent);
        }

        /** What SQS counts against its size limits: the body and the attribute's name, type and value, in bytes. */
        long size() {
            long bytes = body.getBytes(StandardCharsets.UTF_8).length;
            return traceParent == null ? bytes : bytes + TRACE_PARENT.length() + "String".length() + traceParent.length();
        }

        Map<String, MessageAttributeValue> attributes() {
            return traceParent == null ? Map.of() : Map.of(TRACE_PARENT,
                    MessageAttributeValue.builder().dataType("String").stringValue(traceParent).build());
        }
    }

    private final SqsClient client;
    private final String queueUrl;
    private final boolean fifo;
    private final String defaultGroup;
    private ExecutorService pool;

    /** Batches in flight at once on a standard queue. */
    static final int PARALLEL_BATCHES = 8;

    SqsSender(SqsClient client, SqsSettings settings) {
        this.client = client;
        this.queueUrl = settings.queueUrl();
        this.fifo = settings.fifo();
        this.defaultGroup = settings.messageGroup();
    }

    boolean fifo() {
        return fifo;
    }

    /** @throws SdkException when SQS refuses or cannot be reached (after the SDK's retries) */
    void send(Outgoing message) {
        SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(queueUrl).messageBody(message.body())
                .messageAttributes(message.attributes());
        if (fifo) {
            request.messageGroupId(group(message)).messageDeduplicationId(message.deduplicationId());
        } else if (message.delaySeconds() > 0) {
            request.delaySeconds(message.delaySeconds());
        }
        client.sendMessage(request.build());
    }

    /**
     * Sends in batches of up to ten within SQS's batch size limit; returns the entries that were not
     * sent. On a standard queue up to {@value #PARALLEL_BATCHES} batches are in flight at once; a FIFO
     * queue gets them one after another, in order.
     */
    List<Failure> sendAll(List<Outgoing> messages) {
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < messages.size()) {
            int end = start;
            long bytes = 0;
            while (end < messages.size() && end - start < 10) {
                long size = messages.get(end).size();
                if (end > start && bytes + size > SqsSettings.SQS_MESSAGE_LIMIT) {
                    break;
                }
                bytes += size;
                end++;
            }
            batches.add(new int[] {start, end});
            start = end;
        }
        List<Failure> failures = new ArrayList<>();
        if (fifo || batches.size() == 1) {
            for (int[] batch : batches) {
                failures.addAll(sendBatch(messages, batch[0], batch[1]));
            }
            return failures;
        }
        List<Future<List<Failure>>> sent = new ArrayList<>(batches.size());
        for (int[] batch : batches) {
            sent.add(pool().submit(() -> sendBatch(messages, batch[0], batch[1])));
        }
        for (int i = 0; i < sent.size(); i++) {
            failures.addAll(result(sent.get(i), messages, batches.get(i)));
        }
        return failures;
    }

    private static List<Failure> result(Future<List<Failure>> sent, List<Outgoing> messages, int[] batch) {
        try {
            return sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return everyEntry(batch, "interrupted while waiting for the send", e);
        } catch (ExecutionException e) {
            return everyEntry(batch, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private static List<Failure> everyEntry(int[] batch, String reason, Throwable cause) {
        List<Failure> failures = new ArrayList<>();
        for (int i = batch[0]; i < batch[1]; i++) {
            failures.add(new Failure(i, reason, cause));
        }
        return failures;
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(PARALLEL_BATCHES, NamedThreads.factory("sqs-send-", true));
        }
        return pool;
    }

    /** Stops the threads of parallel sends. */
    synchronized void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    private List<Failure> sendBatch(List<Outgoing> messages, int start, int end) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            Outgoing message = messages.get(i);
            SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                    .id(String.valueOf(i)).messageBody(message.body()).messageAttributes(message.attributes());
            if (fifo) {
                entry.messageGroupId(group(message)).messageDeduplicationId(message.deduplicationId());
            } else if (message.delaySeconds() > 0) {
                entry.delaySeconds(message.delaySeconds());
            }
            entries.add(entry.build());
        }
        List<Failure> failures = new ArrayList<>();
        try {
            SendMessageBatchResponse response = client.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            Map<String, BatchResultErrorEntry> failed = new HashMap<>();
            response.failed().forEach(error -> failed.put(error.id(), error));
            for (BatchResultErrorEntry error : failed.values()) {
                failures.add(new Failure(Integer.parseInt(error.id()), error.code() + ": " + error.message()
                        + (error.senderFault() ? " (sender fault)" : " (SQS fault, may succeed if sent again)"), null));
            }
        } catch (SdkException e) {
            for (int i = start; i < end; i++) {
                failures.add(new Failure(i, e.getMessage(), e));
            }
        }
        return failures;
    }

    private String group(Outgoing message) {
        return message.group() != null ? message.group() : defaultGroup;
    }
}
