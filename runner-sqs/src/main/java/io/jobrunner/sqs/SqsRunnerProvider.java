package io.jobrunner.sqs;

import io.jobrunner.JobRunner;
import io.jobrunner.internal.HandOffRunner;
import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code sqs}: tasks and jobs go to an SQS queue that {@link SqsWorker}s consume. */
public final class SqsRunnerProvider implements JobRunnerProvider {

    public static final String NAME = "sqs";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> missingSettings(Settings settings) {
        return SqsSettings.missing(settings);
    }

    @Override
    public JobRunner create(RunnerContext context) {
        SqsSettings settings = SqsSettings.from(context.config().settings());
        context.requireSharedStore(NAME);
        Optional<SqsClient> given = context.config().client(SqsClient.class);
        return new HandOffRunner(context, new SqsTransport(settings, given.orElseGet(() -> SqsClients.create(settings)),
                given.isEmpty()));
    }
}
