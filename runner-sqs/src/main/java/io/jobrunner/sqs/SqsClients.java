package io.jobrunner.sqs;

import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.spi.AwsClientSettings;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the SQS client from the settings, leaving to the SDK's chains what they do not name. */
final class SqsClients {

    private SqsClients() {
    }

    static SqsClient create(SqsSettings settings) {
        List<String> missing = settings.aws().missingLocalCredentials("AWS_ENDPOINT_URL_SQS");
        if (!missing.isEmpty()) {
            throw new RunnerNotConfiguredException(SqsRunnerProvider.NAME, missing);
        }
        var builder = SqsClient.builder()
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(settings.pollers() + settings.concurrency() * 2 + 8));
        try {
            return configure(builder, settings.aws()).build();
        } catch (SdkClientException e) {
            throw new RunnerNotConfiguredException(SqsRunnerProvider.NAME, List.of("AWS_REGION: the SDK found no region ("
                    + e.getMessage() + "); set AWS_REGION, or use a queue URL of the form https://sqs.<region>.amazonaws.com/…"));
        }
    }

    /** Applies region, endpoint and static credentials where the settings name them. */
    static <B extends AwsClientBuilder<B, ?>> B configure(B builder, AwsClientSettings aws) {
        aws.region().ifPresent(region -> builder.region(Region.of(region)));
        aws.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (aws.hasStaticCredentials()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(aws.sessionToken().isPresent()
                    ? AwsSessionCredentials.create(aws.accessKeyId().get(), aws.secretAccessKey().get(), aws.sessionToken().get())
                    : AwsBasicCredentials.create(aws.accessKeyId().get(), aws.secretAccessKey().get())));
        }
        return builder;
    }
}
