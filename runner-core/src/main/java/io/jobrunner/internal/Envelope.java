package io.jobrunner.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.internal.MalformedMessageException;
import java.nio.charset.StandardCharsets;

/**
 * The body that carries work between processes, the same on every transport (SQS message,
 * Lambda event): {@code {"type":"TASK","taskName":…,"payload":…}} carries a task whole, with
 * {@code "trace"} (its dispatch's W3C {@code traceparent}) when it was traced;
 * {@code {"type":"JOB","jobId":…}} carries only a stored request's id (its trace is stored with it).
 * Immutable.
 */
public sealed interface Envelope permits Envelope.Task, Envelope.Job {

    /** A task with its payload as JSON text, and its dispatch's trace context or {@code null}. */
    record Task(String taskName, String payloadJson, String traceParent) implements Envelope {
    }

    /** A stored job request, by id. */
    record Job(long jobId) implements Envelope {
    }

    ObjectMapper MAPPER = new ObjectMapper();

    /** The body of a task; the payload is JSON already; {@code traceParent} may be {@code null}. */
    static String task(String taskName, byte[] payloadJson, String traceParent) {
        try {
            return "{\"type\":\"TASK\",\"taskName\":" + MAPPER.writeValueAsString(taskName)
                    + (traceParent == null ? "" : ",\"trace\":" + MAPPER.writeValueAsString(traceParent))
                    + ",\"payload\":" + new String(payloadJson, StandardCharsets.UTF_8) + "}";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A String always serializes", e);
        }
    }

    /** The body of a job. */
    static String job(long jobId) {
        return "{\"type\":\"JOB\",\"jobId\":" + jobId + "}";
    }

    /**
     * Reads a body.
     *
     * @throws MalformedMessageException naming what is wrong, when it is no envelope
     */
    static Envelope parse(String body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("the body is not JSON: " + e.getOriginalMessage(), body);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedMessageException("the body is not a JSON object", body);
        }
        String type = node.path("type").asText("");
        switch (type) {
            case "TASK": {
                JsonNode name = node.get("taskName");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    throw new MalformedMessageException("a TASK envelope needs a non-blank \"taskName\"", body);
                }
                JsonNode payload = node.get("payload");
                JsonNode trace = node.get("trace");
                if (trace != null && !trace.isTextual() && !trace.isNull()) {
                    throw new MalformedMessageException("a TASK envelope's \"trace\" must be a W3C traceparent string",
                            body);
                }
                return new Task(name.asText(), payload == null ? "null" : payload.toString(),
                        trace == null || trace.isNull() ? null : trace.asText());
            }
            case "JOB": {
                JsonNode id = node.get("jobId");
                if (id == null || !id.canConvertToLong() || id.asLong() <= 0) {
                    throw new MalformedMessageException("a JOB envelope needs a positive numeric \"jobId\"", body);
                }
                return new Job(id.asLong());
            }
            default:
                throw new MalformedMessageException("unknown envelope type '" + type
                        + "'; expected \"TASK\" (with taskName and payload) or \"JOB\" (with jobId)", body);
        }
    }
}
