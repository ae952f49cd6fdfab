package io.jobrunner.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.MalformedMessageException;
import io.jobrunner.spi.Envelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;

/**
 * The one Lambda handler of a jobrunner application
 * ({@code io.jobrunner.lambda.JobRunnerHandler::handleRequest}). It takes:
 * <ul>
 *   <li>a TASK or JOB envelope from an asynchronous invocation ({@code lambda-async});</li>
 *   <li>an SQS event-source batch, answering {@code batchItemFailures} with only the failed records;</li>
 *   <li>a scheduled event (EventBridge), on which it hands off due and unsent jobs.</li>
 * </ul>
 * Anything else is answered with an error that says what was expected.
 */
public final class JobRunnerHandler implements RequestStreamHandler {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static volatile FunctionRuntime shared;

    private final FunctionRuntime runtime;

    /** The constructor Lambda calls: the runtime is built once per container, lazily. */
    public JobRunnerHandler() {
        this(sharedRuntime());
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
            HandOffSweep.Counts counts = new HandOffSweep(runtime).run();
            result.put("handedOff", counts.handedOff()).put("requeued", counts.requeued()).put("failed", counts.failed());
            return result;
        }
        throw new MalformedMessageException("unknown event: expected a TASK or JOB envelope (\"type\"), an SQS batch "
                + "(\"Records\") or a scheduled event (\"source\": \"aws.events\")", event.toString());
    }
}
