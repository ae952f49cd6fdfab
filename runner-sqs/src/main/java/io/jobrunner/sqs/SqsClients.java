package io.jobrunner.sqs;

import io.jobrunner.RunnerNotConfiguredException;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/** Builds the SQS client from the settings, leaving to the SDK's chains what they do not name. */
final class SqsClients {

    private SqsClients() {
    }

    static SqsClient create(SqsSettings settings) {
        SqsClientBuilder builder = SqsClient.builder()
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(settings.pollers() + settings.concurrency() * 2 + 8));
        settings.region().ifPresent(region -> builder.region(Region.of(region)));
        settings.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(settings.sessionToken().isPresent()
                    ? AwsSessionCredentials.create(settings.accessKeyId().get(), settings.secretAccessKey().get(),
                            settings.sessionToken().get())
                    : AwsBasicCredentials.create(settings.accessKeyId().get(), settings.secretAccessKey().get())));
        }
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw new RunnerNotConfiguredException(SqsRunnerProvider.NAME, List.of("AWS_REGION: the SDK found no region ("
                    + e.getMessage() + "); set AWS_REGION, or use a queue URL of the form https://sqs.<region>.amazonaws.com/…"));
        }
    }
}
