package io.jobrunner.lambda;

import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.Setting;
import io.jobrunner.spi.AwsClientSettings;
import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What {@code lambda-async} and its handler read from the environment. Immutable. */
record LambdaSettings(String function, AwsClientSettings aws, long maxPayloadBytes, Duration maxInlineWait,
                      Duration handOffStaleAfter) {

    /** Set by Lambda inside a function: its own name. */
    static final String OWN_FUNCTION = "AWS_LAMBDA_FUNCTION_NAME";
    /** Lambda's limit for an asynchronous invocation's payload. */
    static final long ASYNC_PAYLOAD_LIMIT = 256 * 1024;

    static List<String> missing(Settings settings) {
        List<String> missing = new ArrayList<>();
        if (!settings.isSet(Setting.LAMBDA_FUNCTION) && !settings.isSet(OWN_FUNCTION)) {
            missing.add(Setting.LAMBDA_FUNCTION.variable() + ": set it to the name, ARN or alias of the function that runs the work (inside "
                    + "a function, " + OWN_FUNCTION + " is used and the function invokes itself)");
        }
        return missing;
    }

    /**
     * The bare function name in a name, a name with a version or alias ({@code jobs:live}), a partial
     * ARN ({@code 123456789012:function:jobs}) or a full ARN: what requests are stored under as their
     * hand-off target, so a producer naming the function one way and the function knowing itself by
     * its name agree.
     */
    static String functionName(String nameArnOrAlias) {
        String value = nameArnOrAlias.trim();
        int marker = value.indexOf(":function:");
        if (marker >= 0) {
            value = value.substring(marker + ":function:".length());
        }
        int qualifier = value.indexOf(':');
        return qualifier >= 0 ? value.substring(0, qualifier) : value;
    }

    /** The function requests are handed to, as stored on them (see {@link #functionName(String)}). */
    String target() {
        return functionName(function);
    }

    static LambdaSettings from(Settings settings) {
        String function = settings.get(Setting.LAMBDA_FUNCTION).or(() -> settings.get(OWN_FUNCTION))
                .orElseThrow(() -> new RunnerNotConfiguredException(LambdaRunnerProvider.NAME, missing(settings)));
        return new LambdaSettings(function, AwsClientSettings.from(settings, "LAMBDA"),
                settings.bytes(Setting.LAMBDA_MAX_PAYLOAD_BYTES), settings.duration(Setting.LAMBDA_MAX_INLINE_WAIT),
                settings.duration(Setting.HANDOFF_STALE_AFTER));
    }
}
