package io.jobrunner.sqs;

import io.jobrunner.spi.AwsClientSettings;
import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code sqs} runner and worker read from the environment. Region, endpoint and
 * credentials follow the AWS SDK's own variables; when the settings do not name them, the SDK's
 * default chains decide. Immutable.
 */
record SqsSettings(
        String queueUrl,
        AwsClientSettings aws,
        String messageGroup,
        long maxMessageBytes,
        int concurrency,
        int pollers,
        int prefetch,
        Duration waitTime,
        Optional<Duration> visibilityTimeout,
        Duration shutdownTimeout,
        Duration handOffInterval,
        Duration handOffStaleAfter) {

    static final String QUEUE_URL = "JOB_RUNNER_SQS_QUEUE_URL";
    static final String MESSAGE_GROUP = "JOB_RUNNER_SQS_MESSAGE_GROUP";
    static final String MAX_MESSAGE_BYTES = "JOB_RUNNER_SQS_MAX_MESSAGE_BYTES";
    static final String POLLERS = "JOB_RUNNER_SQS_POLLERS";
    static final String PREFETCH = "JOB_RUNNER_SQS_PREFETCH";
    static final String WAIT_TIME = "JOB_RUNNER_SQS_WAIT_TIME";
    static final String VISIBILITY_TIMEOUT = "JOB_RUNNER_SQS_VISIBILITY_TIMEOUT";
    static final String HANDOFF_INTERVAL = "JOB_RUNNER_HANDOFF_INTERVAL";
    static final String HANDOFF_STALE_AFTER = "JOB_RUNNER_HANDOFF_STALE_AFTER";
    static final String CONCURRENCY = "JOB_RUNNER_CONCURRENCY";
    static final String SHUTDOWN_TIMEOUT = "JOB_RUNNER_SHUTDOWN_TIMEOUT";

    /** SQS's limit for one message, and for one batch of messages. */
    static final long SQS_MESSAGE_LIMIT = 256 * 1024;
    /** SQS's longest per-message delay. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** SQS's longest visibility timeout. */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    private static final Pattern REGION_IN_URL = Pattern.compile("^https?://sqs[.-]([a-z0-9-]+)\\.amazonaws\\.com");

    static List<String> missing(Settings settings) {
        List<String> missing = new ArrayList<>();
        if (!settings.isSet(QUEUE_URL)) {
            missing.add(QUEUE_URL + ": set it to the URL of the SQS queue, e.g. "
                    + "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs (for a local server, also set "
                    + "AWS_ENDPOINT_URL_SQS)");
        }
        return missing;
    }

    static SqsSettings from(Settings settings) {
        String queueUrl = settings.get(QUEUE_URL).orElseThrow(() -> new io.jobrunner.RunnerNotConfiguredException(
                SqsRunnerProvider.NAME, missing(settings)));
        AwsClientSettings aws = AwsClientSettings.from(settings, "SQS").withDefaultRegion(regionOf(queueUrl));
        long maxMessageBytes = Math.min(settings.bytes(MAX_MESSAGE_BYTES, SQS_MESSAGE_LIMIT), 1024 * 1024);
        Optional<Duration> visibility = settings.isSet(VISIBILITY_TIMEOUT)
                ? Optional.of(settings.duration(VISIBILITY_TIMEOUT, Duration.ofSeconds(30)))
                : Optional.empty();
        return new SqsSettings(queueUrl, aws, settings.string(MESSAGE_GROUP, "default"), maxMessageBytes,
                settings.integer(CONCURRENCY, 8, 1), settings.integer(POLLERS, 2, 1), settings.integer(PREFETCH, 200, 0),
                settings.duration(WAIT_TIME, Duration.ofSeconds(20)), visibility,
                settings.duration(SHUTDOWN_TIMEOUT, Duration.ofSeconds(30)),
                settings.duration(HANDOFF_INTERVAL, Duration.ofSeconds(10)),
                settings.duration(HANDOFF_STALE_AFTER, Duration.ofMinutes(30)));
    }

    boolean fifo() {
        return queueUrl.endsWith(".fifo");
    }

    static Optional<String> regionOf(String queueUrl) {
        Matcher matcher = REGION_IN_URL.matcher(queueUrl);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
