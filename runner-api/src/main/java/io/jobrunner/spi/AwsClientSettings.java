package io.jobrunner.spi;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The AWS SDK's own variables as the settings give them, so a backend's client follows them when
 * present and leaves the rest to the SDK's default chains. SDK-free. Immutable.
 *
 * @param region   {@code AWS_REGION} or {@code AWS_DEFAULT_REGION}
 * @param endpoint the service's {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}
 * @param profile  {@code AWS_PROFILE}
 */
public record AwsClientSettings(Optional<String> region, Optional<String> endpoint, Optional<String> accessKeyId,
                                Optional<String> secretAccessKey, Optional<String> sessionToken, Optional<String> profile) {

    /** @param service the endpoint variable's suffix, e.g. {@code "SQS"} or {@code "LAMBDA"} */
    public static AwsClientSettings from(Settings settings, String service) {
        return new AwsClientSettings(
                settings.get("AWS_REGION").or(() -> settings.get("AWS_DEFAULT_REGION")),
                settings.get("AWS_ENDPOINT_URL_" + service).or(() -> settings.get("AWS_ENDPOINT_URL")),
                settings.get("AWS_ACCESS_KEY_ID"), settings.get("AWS_SECRET_ACCESS_KEY"), settings.get("AWS_SESSION_TOKEN"),
                settings.get("AWS_PROFILE"));
    }

    /** The same with a region to fall back on (e.g. one read from a queue URL). */
    public AwsClientSettings withDefaultRegion(Optional<String> fallback) {
        return new AwsClientSettings(region.or(() -> fallback), endpoint, accessKeyId, secretAccessKey, sessionToken, profile);
    }

    public boolean hasStaticCredentials() {
        return accessKeyId.isPresent() && secretAccessKey.isPresent();
    }

    /**
     * What to set when the endpoint is a server on this machine (ElasticMQ, {@code jobrunner dev},
     * LocalStack) and no credentials are given: such a server takes any, but the SDK needs some and
     * would otherwise search its whole chain and fail naming none of these. Empty when credentials
     * or a profile are set, or the endpoint is elsewhere (an endpoint in a VPC may rely on a role).
     *
     * @param variable the endpoint's variable, for the message, e.g. {@code AWS_ENDPOINT_URL_SQS}
     */
    public List<String> missingLocalCredentials(String variable) {
        if (hasStaticCredentials() || profile.isPresent() || endpoint.isEmpty() || !isLocal(endpoint.get())) {
            return List.of();
        }
        return List.of("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: " + variable + " points at a server on this machine ("
                + endpoint.get() + "), which takes any credentials, but the AWS SDK needs some: export"
                + " AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test (jobrunner dev writes them to .jobrunner/dev.env)"
                + (region.isPresent() ? "" : ", and AWS_REGION=us-east-1"));
    }

    /** The settings with the secret key and session token left out, so a log or an error never carries them. */
    @Override
    public String toString() {
        return "AwsClientSettings[region=" + region.orElse("(chain)") + ", endpoint=" + endpoint.orElse("(AWS)")
                + ", accessKeyId=" + accessKeyId.orElse("(chain)")
                + ", secretAccessKey=" + (secretAccessKey.isPresent() ? "(set, not shown)" : "(chain)")
                + ", sessionToken=" + (sessionToken.isPresent() ? "(set, not shown)" : "(none)")
                + ", profile=" + profile.orElse("(default)") + "]";
    }

    private static boolean isLocal(String endpoint) {
        try {
            String host = URI.create(endpoint.trim()).getHost();
            return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
                    || host.equals("::1") || host.endsWith(".localhost"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
