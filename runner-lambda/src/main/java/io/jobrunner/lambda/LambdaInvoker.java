package io.jobrunner.lambda;

import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.spi.AwsClientSettings;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** Invokes the function asynchronously ({@code InvocationType=Event}) and checks Lambda accepted it. Thread-safe. */
final class LambdaInvoker implements AutoCloseable {

    /** Lambda refused or could not be reached; the message says why. */
    static final class InvokeFailedException extends Exception {
        InvokeFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final LambdaClient client;
    private final boolean ownsClient;
    private final String function;

    /** An invoker on the application's client (kept open at close), or on one built from the settings. */
    LambdaInvoker(LambdaSettings settings, Optional<LambdaClient> given) {
        this.function = settings.function();
        this.client = given.orElseGet(() -> build(settings.aws()));
        this.ownsClient = given.isEmpty();
    }

    void invokeAsync(String payload) throws InvokeFailedException {
        InvokeResponse response;
        try {
            response = client.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(payload)));
        } catch (SdkException e) {
            throw new InvokeFailedException("Lambda did not accept the invocation of " + function + ": " + e.getMessage(), e);
        }
        if (response.statusCode() != 202) {
            throw new InvokeFailedException("Lambda answered " + response.statusCode() + " instead of 202 to the "
                    + "asynchronous invocation of " + function, null);
        }
    }

    /** A dry-run invocation (it checks the function exists and may be invoked, and runs nothing); empty when it may. */
    Optional<String> unreachable() {
        try {
            client.invoke(b -> b.functionName(function).invocationType(InvocationType.DRY_RUN));
            return Optional.empty();
        } catch (ResourceNotFoundException e) {
            return Optional.of("no function named " + function + " (JOB_RUNNER_LAMBDA_FUNCTION)");
        } catch (AwsServiceException e) {
            return Optional.of("Lambda answered " + e.statusCode() + " to a dry run of " + function + ": "
                    + e.awsErrorDetails().errorMessage());
        } catch (SdkException | IllegalStateException e) {
            return Optional.of("Lambda cannot be reached to invoke " + function + ": " + e.getMessage());
        }
    }

    private static LambdaClient build(AwsClientSettings aws) {
        List<String> missing = aws.missingLocalCredentials("AWS_ENDPOINT_URL_LAMBDA");
        if (!missing.isEmpty()) {
            throw new RunnerNotConfiguredException(LambdaRunnerProvider.NAME, missing);
        }
        LambdaClientBuilder builder = LambdaClient.builder().httpClientBuilder(HttpClients.builder());
        aws.region().ifPresent(region -> builder.region(Region.of(region)));
        aws.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (aws.hasStaticCredentials()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(aws.sessionToken().isPresent()
                    ? AwsSessionCredentials.create(aws.accessKeyId().get(), aws.secretAccessKey().get(), aws.sessionToken().get())
                    : AwsBasicCredentials.create(aws.accessKeyId().get(), aws.secretAccessKey().get())));
        }
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw new RunnerNotConfiguredException(LambdaRunnerProvider.NAME, List.of("AWS_REGION: the SDK found no region ("
                    + e.getMessage() + "); set AWS_REGION"));
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }
}
