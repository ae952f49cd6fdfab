package io.jobrunner.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsClientSettingsTest {

    private static AwsClientSettings lambda(String... pairs) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return AwsClientSettings.from(Settings.of(values), "LAMBDA");
    }

    @Test
    void aLocalEndpointWithoutCredentialsNamesTheVariablesToSet() {
        assertThat(lambda("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001").missingLocalCredentials("AWS_ENDPOINT_URL_LAMBDA"))
                .singleElement().asString()
                .startsWith("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: AWS_ENDPOINT_URL_LAMBDA points at a server on this"
                        + " machine (http://127.0.0.1:9001)")
                .endsWith(", and AWS_REGION=us-east-1");
        assertThat(lambda("AWS_ENDPOINT_URL", "http://localhost:4566", "AWS_REGION", "eu-west-1")
                .missingLocalCredentials("AWS_ENDPOINT_URL")).singleElement().asString()
                .contains("(http://localhost:4566)").doesNotContain("AWS_REGION");
    }

    @Test
    void credentialsAProfileOrARemoteEndpointNeedNothingMore() {
        assertThat(lambda("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001", "AWS_ACCESS_KEY_ID", "a",
                "AWS_SECRET_ACCESS_KEY", "b").missingLocalCredentials("x")).isEmpty();
        assertThat(lambda("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001", "AWS_PROFILE", "local")
                .missingLocalCredentials("x")).isEmpty();
        assertThat(lambda("AWS_ENDPOINT_URL_LAMBDA", "https://vpce-1.lambda.eu-west-1.vpce.amazonaws.com")
                .missingLocalCredentials("x")).as("an endpoint in a VPC may rely on the instance's role").isEmpty();
        assertThat(lambda().missingLocalCredentials("x")).as("AWS itself: the SDK's chain").isEmpty();
    }

    @Test
    void itsTextNeverCarriesTheSecretKeyOrTheSessionToken() {
        AwsClientSettings settings = AwsClientSettings.from(Settings.of(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret", "AWS_SESSION_TOKEN", "FwoGZXIvYXdzE-token",
                "AWS_REGION", "eu-west-1")), "SQS");
        assertThat(settings.toString()).contains("AKIAEXAMPLE").contains("eu-west-1")
                .doesNotContain("wJalrXUtnFEMI-secret").doesNotContain("FwoGZXIvYXdzE-token");
    }
}
