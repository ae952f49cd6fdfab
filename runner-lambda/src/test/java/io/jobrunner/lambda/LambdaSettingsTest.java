package io.jobrunner.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.spi.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaSettingsTest {

    @Test
    void everyWayOfNamingAFunctionStoresItsBareName() {
        assertThat(LambdaSettings.functionName("jobs")).isEqualTo("jobs");
        assertThat(LambdaSettings.functionName(" jobs:live ")).isEqualTo("jobs");
        assertThat(LambdaSettings.functionName("jobs:7")).isEqualTo("jobs");
        assertThat(LambdaSettings.functionName("123456789012:function:jobs")).isEqualTo("jobs");
        assertThat(LambdaSettings.functionName("arn:aws:lambda:eu-west-1:123456789012:function:jobs")).isEqualTo("jobs");
        assertThat(LambdaSettings.functionName("arn:aws-cn:lambda:cn-north-1:123456789012:function:jobs:live"))
                .isEqualTo("jobs");
    }

    @Test
    void theProducersTargetIsTheBareNameWhileInvokesUseTheNameAsGiven() {
        LambdaSettings settings = LambdaSettings.from(Settings.of(Map.of(
                "JOB_RUNNER_LAMBDA_FUNCTION", "arn:aws:lambda:eu-west-1:123456789012:function:jobs:live")));
        assertThat(settings.target()).isEqualTo("jobs");
        assertThat(settings.function()).isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:jobs:live");
    }
}
