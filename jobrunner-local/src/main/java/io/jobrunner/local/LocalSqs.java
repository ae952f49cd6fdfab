package io.jobrunner.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS-compatible server (ElasticMQ) in this JVM on a loopback port, spoken to over HTTP with
 * the AWS SDK exactly as AWS is: what {@code jobrunner dev} serves, and what the tests run against.
 */
public final class LocalSqs implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "test";
    public static final String SECRET_KEY = "test";

    /** A queue and its dead-letter queue. */
    public record Queue(String url, String deadLetterUrl) {
    }

    private final SQSRestServer server;
    private final int port;
    private final SqsClient client;

    private LocalSqs(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
        this.client = builder().build();
    }

    private SqsClientBuilder builder() {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    /**
     * A new client that sees every call through the interceptor (to count calls), with room for
     * {@code connections} concurrent ones; the caller closes it.
     */
    public SqsClient client(ExecutionInterceptor interceptor, int connections) {
        return builder().httpClientBuilder(ApacheHttpClient.builder().maxConnections(connections))
                .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();
    }

    /** A server on a free loopback port. */
    public static LocalSqs start() {
        return start(freePort());
    }

    /** A server on 127.0.0.1 at {@code port}. */
    public static LocalSqs start(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("The local SQS server cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port", e);
        }
        SQSRestServer server;
        try {
            server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                    .start();
            server.waitUntilStarted();
        } catch (RuntimeException e) {
            throw new IllegalStateException("The local SQS server cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port", e);
        }
        return new LocalSqs(server, port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client for test set-up and checks. */
    public SqsClient client() {
        return client;
    }

    /** The settings a runner or worker needs to reach this server, with {@code JOB_RUNNER_SQS_QUEUE_URL} set. */
    public Map<String, String> settings(String queueUrl) {
        Map<String, String> settings = new HashMap<>();
        settings.put("JOB_RUNNER_SQS_QUEUE_URL", queueUrl);
        settings.put("AWS_ENDPOINT_URL_SQS", endpoint());
        settings.put("AWS_REGION", REGION);
        settings.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        settings.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        return settings;
    }

    /**
     * A fresh queue with a dead-letter queue behind a redrive policy.
     *
     * @param visibilitySeconds the queue's visibility timeout
     * @param maxReceiveCount   receives before a message moves to the dead-letter queue
     */
    public Queue createQueue(String prefix, int visibilitySeconds, int maxReceiveCount) {
        return createQueue(client, prefix, visibilitySeconds, maxReceiveCount);
    }

    /** {@link #createQueue(String, int, int)} on any SQS endpoint the client reaches. */
    public static Queue createQueue(SqsClient client, String prefix, int visibilitySeconds, int maxReceiveCount) {
        return createNamedQueue(client, prefix + "-" + UUID.randomUUID().toString().substring(0, 8), "-dlq",
                visibilitySeconds, maxReceiveCount);
    }

    private static Queue createNamedQueue(SqsClient client, String name, String deadLetterSuffix, int visibilitySeconds,
                                          int maxReceiveCount) {
        String deadLetterUrl = client.createQueue(b -> b.queueName(name + deadLetterSuffix)).queueUrl();
        String deadLetterArn = client.getQueueAttributes(b -> b.queueUrl(deadLetterUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String url = client.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(visibilitySeconds),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
                .queueUrl();
        return new Queue(url, deadLetterUrl);
    }

    /**
     * A queue of exactly this name, with a dead-letter queue {@code NAME-dead-letters} behind a
     * redrive policy; an existing queue of the name is reused.
     */
    public Queue createNamedQueue(String name, int visibilitySeconds, int maxReceiveCount) {
        return createNamedQueue(client, name, "-dead-letters", visibilitySeconds, maxReceiveCount);
    }

    /** The queue's message counts by kind (visible, not visible, delayed), for failure messages. */
    public Map<String, String> messageCounts(String queueUrl) {
        return client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributesAsStrings();
    }

    /** Messages waiting or in flight in a queue. */
    public int approximateMessages(String queueUrl) {
        Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
