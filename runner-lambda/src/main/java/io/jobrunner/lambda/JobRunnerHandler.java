package io.jobrunner.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.internal.Envelope;
import io.jobrunner.internal.HandOffRunner;
import io.jobrunner.internal.HandOffSweep;
import io.jobrunner.internal.MalformedMessageException;
import io.jobrunner.internal.RunnerSchedules;
import io.jobrunner.spi.RunnerContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Lambda handler of a jobrunner application
 * ({@code io.jobrunner.lambda.JobRunnerHandler::handleRequest}). It takes:
 * <ul>
 *   <li>a TASK or JOB envelope from an asynchronous invocation ({@code lambda-async});</li>
 *   <li>an SQS event-source batch, answering {@code batchItemFailures} with only the failed records;</li>
 *   <li>a scheduled event (EventBridge), on which it fires due recurring jobs and hands off due and
 *       unsent jobs.</li>
 * </ul>
 * Anything else is answered with an error that says what was expected.
 */
public final class JobRunnerHandler implements RequestStreamHandler {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(JobRunnerHandler.class);
    private static volatile FunctionRuntime shared;

    private final FunctionRuntime runtime;

    /**
     * The constructor Lambda calls: configured from the environment, with the handlers listed in
     * {@code META-INF/services}; built once per container.
     */
    public JobRunnerHandler() {
        this(sharedRuntime());
    }

    /**
     * A handler configured in code, for applications whose handlers come from a dependency-injection
     * container: build the config as producers do, e.g.
     * {@code new JobRunnerHandler(JobRunners.builder().handlers(registry).config())}, once per
     * container (in a static field or the function class's constructor), and delegate to it from
     * the class Lambda instantiates.
     */
    public JobRunnerHandler(JobRunnerConfig config) {
        this(new FunctionRuntime(config));
        SnapStartHooks.register(runtime);
    }

    JobRunnerHandler(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    private static FunctionRuntime sharedRuntime() {
        FunctionRuntime current = shared;
        if (current == null) {
            synchronized (JobRunnerHandler.class) {
                if (shared == null) {
                    shared = FunctionRuntime.fromEnvironment();
                    SnapStartHooks.register(shared);
                }
                current = shared;
            }
        }
        return current;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = MAPPER.readTree(input);
        Instant deadline = Instant.now().plusMillis(context.getRemainingTimeInMillis());
        JsonNode result = handle(event, deadline);
        MAPPER.writeValue(output, result);
    }

    JsonNode handle(JsonNode event, Instant deadline) {
        if (event == null || !event.isObject()) {
            throw new MalformedMessageException("the event is not a JSON object; expected a TASK or JOB envelope, "
                    + "an SQS batch (\"Records\") or a scheduled event", String.valueOf(event));
        }
        if (event.has("type")) {
            return new EnvelopeEvent(runtime).handle(Envelope.parse(event.toString()), deadline);
        }
        if (event.has("Records")) {
            return new SqsBatchEvent(runtime).handle(event.get("Records"), deadline);
        }
        if ("aws.events".equals(event.path("source").asText()) || "Scheduled Event".equals(event.path("detail-type").asText())) {
            ObjectNode result = MAPPER.createObjectNode();
            int fired = fireDueSchedules();
            HandOffSweep.Counts counts = runtime.sweep();
            result.put("scheduled", fired).put("handedOff", counts.handedOff()).put("requeued", counts.requeued()).put("failed", counts.failed());
            return result;
        }
        throw new MalformedMessageException("unknown event: expected a TASK or JOB envelope (\"type\"), an SQS batch "
                + "(\"Records\") or a scheduled event (\"source\": \"aws.events\")", event.toString());
    }

    /**
     * Fires the recurring jobs that are due; the sweep that follows invokes the function for them.
     * Needs the function to dispatch to (JOB_RUNNER_LAMBDA_FUNCTION), else nothing could run them.
     */
    private int fireDueSchedules() {
        Optional<LambdaTransport> target = runtime.transport();
        if (target.isEmpty()) {
            if (!runtime.store().dueSchedules(Instant.now()).isEmpty()) {
                log.warn("Recurring jobs are due but this function does not know where to dispatch them: set "
                        + "JOB_RUNNER_LAMBDA_FUNCTION (usually to this function's own name)");
            }
            return 0;
        }
        RunnerContext context = runtime.context();
        return RunnerSchedules.of(context, data -> HandOffRunner.unsentRequest(context, target.get(), data), fired -> { })
                .runDue();
    }
}
