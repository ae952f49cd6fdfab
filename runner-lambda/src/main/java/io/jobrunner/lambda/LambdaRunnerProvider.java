package io.jobrunner.lambda;

import io.jobrunner.JobRunner;
import io.jobrunner.internal.HandOffRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** {@code lambda-async} (alias {@code lambda}): work runs in a Lambda function invoked asynchronously. */
public final class LambdaRunnerProvider implements JobRunnerProvider {

    public static final String NAME = "lambda-async";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("lambda");
    }

    @Override
    public List<String> missingSettings(Settings settings) {
        return LambdaSettings.missing(settings);
    }

    @Override
    public JobRunner create(RunnerContext context) {
        LambdaSettings settings = LambdaSettings.from(context.config().settings());
        context.requireSharedStore(NAME);
        return new HandOffRunner(context, new LambdaTransport(settings, new LambdaInvoker(settings, context.config().client(LambdaClient.class))));
    }
}
