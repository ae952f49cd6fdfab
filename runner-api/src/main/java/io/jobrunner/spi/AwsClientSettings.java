package io.jobrunner.spi;

import java.util.Optional;

/**
 * The AWS SDK's own variables as the settings give them, so a backend's client follows them when
 * present and leaves the rest to the SDK's default chains. SDK-free. Immutable.
 *
 * @param region   {@code AWS_REGION} or {@code AWS_DEFAULT_REGION}
 * @param endpoint the service's {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}
 */
public record AwsClientSettings(Optional<String> region, Optional<String> endpoint, Optional<String> accessKeyId,
                                Optional<String> secretAccessKey, Optional<String> sessionToken) {

    /** @param service the endpoint variable's suffix, e.g. {@code "SQS"} or {@code "LAMBDA"} */
    public static AwsClientSettings from(Settings settings, String service) {
        return new AwsClientSettings(
                settings.get("AWS_REGION").or(() -> settings.get("AWS_DEFAULT_REGION")),
                settings.get("AWS_ENDPOINT_URL_" + service).or(() -> settings.get("AWS_ENDPOINT_URL")),
                settings.get("AWS_ACCESS_KEY_ID"), settings.get("AWS_SECRET_ACCESS_KEY"), settings.get("AWS_SESSION_TOKEN"));
    }

    /** The same with a region to fall back on (e.g. one read from a queue URL). */
    public AwsClientSettings withDefaultRegion(Optional<String> fallback) {
        return new AwsClientSettings(region.or(() -> fallback), endpoint, accessKeyId, secretAccessKey, sessionToken);
    }

    public boolean hasStaticCredentials() {
        return accessKeyId.isPresent() && secretAccessKey.isPresent();
    }
}
