package io.jobrunner.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqsBatchEventTest {

    private static final String ARN = "arn:aws:sqs:eu-west-1:123456789012:jobs";

    @Test
    void aRecordMatchesTheQueueOfItsAccountAndName() {
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", ARN)).isTrue();
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs/", ARN)).isTrue();
        assertThat(SqsBatchEvent.fromQueue("http://127.0.0.1:9324/000000000000/jobs",
                "arn:aws:sqs:us-east-1:000000000000:jobs")).isTrue();
    }

    @Test
    void anotherQueueAnotherAccountNoTargetOrNoArnDoNotMatch() {
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/billing", ARN)).isFalse();
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/999999999999/jobs", ARN)).isFalse();
        assertThat(SqsBatchEvent.fromQueue("jobs-function", ARN)).as("a function's target").isFalse();
        assertThat(SqsBatchEvent.fromQueue(null, ARN)).isFalse();
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", "")).isFalse();
        assertThat(SqsBatchEvent.fromQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
                "arn:aws:sns:eu-west-1:123456789012:jobs")).isFalse();
    }
}
