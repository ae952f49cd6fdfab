package io.jobrunner.sqs;

import io.jobrunner.Setting;
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

    /** SQS's limit for one message, and for one batch of messages. */
    static final long SQS_MESSAGE_LIMIT = 256 * 1024;
    /** SQS's longest per-message delay. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** SQS's longest visibility timeout. */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    private static final Pattern REGION_IN_URL = Pattern.compile("^https?://sqs[.-]([a-z0-9-]+)\\.amazonaws\\.com");

    static List<String> missing(Settings settings) {
        List<String> missing = new ArrayList<>();
        if (!settings.isSet(Setting.SQS_QUEUE_URL)) {
            missing.add(Setting.SQS_QUEUE_URL.variable() + ": set it to the URL of the SQS queue, e.g. "
                    + "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs (for a local server, also set "
                    + "AWS_ENDPOINT_URL_SQS)");
        }
        return missing;
    }

    static SqsSettings from(Settings settings) {
        String queueUrl = settings.get(Setting.SQS_QUEUE_URL).orElseThrow(() -> new io.jobrunner.RunnerNotConfiguredException(
                SqsRunnerProvider.NAME, missing(settings)));
        AwsClientSettings aws = AwsClientSettings.from(settings, "SQS").withDefaultRegion(regionOf(queueUrl));
        long maxMessageBytes = Math.min(settings.bytes(Setting.SQS_MAX_MESSAGE_BYTES), 1024 * 1024);
        Optional<Duration> visibility = settings.isSet(Setting.SQS_VISIBILITY_TIMEOUT)
                ? Optional.of(settings.duration(Setting.SQS_VISIBILITY_TIMEOUT, MAX_VISIBILITY))
                : Optional.empty();
        return new SqsSettings(queueUrl, aws, settings.string(Setting.SQS_MESSAGE_GROUP), maxMessageBytes,
                settings.integer(Setting.CONCURRENCY), settings.integer(Setting.SQS_POLLERS),
                settings.integer(Setting.SQS_PREFETCH), settings.duration(Setting.SQS_WAIT_TIME), visibility,
                settings.duration(Setting.SHUTDOWN_TIMEOUT), settings.duration(Setting.HANDOFF_INTERVAL),
                settings.duration(Setting.HANDOFF_STALE_AFTER));
    }

    boolean fifo() {
        return queueUrl.endsWith(".fifo");
    }

    static Optional<String> regionOf(String queueUrl) {
        Matcher matcher = REGION_IN_URL.matcher(queueUrl);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
