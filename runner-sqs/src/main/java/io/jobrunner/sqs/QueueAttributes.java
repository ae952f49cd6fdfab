package io.jobrunner.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The queue settings the worker relies on, read once at start: the visibility timeout and the
 * redrive policy (dead-letter queue and {@code maxReceiveCount}). Immutable.
 */
record QueueAttributes(Duration visibilityTimeout, Optional<String> deadLetterQueueArn, int maxReceiveCount) {

    static QueueAttributes read(SqsClient client, String queueUrl) {
        Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.REDRIVE_POLICY)).attributes();
        Duration visibility = Duration.ofSeconds(Long.parseLong(attributes.getOrDefault(QueueAttributeName.VISIBILITY_TIMEOUT, "30")));
        String redrive = attributes.get(QueueAttributeName.REDRIVE_POLICY);
        if (redrive == null || redrive.isBlank()) {
            return new QueueAttributes(visibility, Optional.empty(), 0);
        }
        try {
            JsonNode policy = new ObjectMapper().readTree(redrive);
            return new QueueAttributes(visibility, Optional.of(policy.path("deadLetterTargetArn").asText()),
                    policy.path("maxReceiveCount").asInt());
        } catch (IOException e) {
            return new QueueAttributes(visibility, Optional.empty(), 0);
        }
    }

    boolean hasDeadLetterQueue() {
        return deadLetterQueueArn.isPresent();
    }
}
