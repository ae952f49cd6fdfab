package io.jobrunner.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.PayloadCodec;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The main class of a child JVM that runs isolated jobs ({@link IsolatedJvms}), one at a time: it
 * reads a job per line on standard input, creates the handler by its class name (once), runs it, and
 * answers on the standard output it was started with — progress and log lines as they come, then the
 * result or the error — each one JSON object per line. The handler's own prints go to standard error,
 * which the worker shares. Not for applications to call.
 */
public final class IsolatedJobMain {

    private IsolatedJobMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ObjectMapper json = PayloadCodec.defaultCodec().mapper();
        Channel out = new Channel(protocol, json);
        out.send(json.createObjectNode().put("ready", true));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, JobHandler<?>> handlers = new HashMap<>();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            JsonNode job = json.readTree(line);
            ObjectNode answer = json.createObjectNode();
            try {
                JobHandler<?> handler = handlers.get(job.get("handler").asText());
                if (handler == null) {
                    handler = (JobHandler<?>) Class.forName(job.get("handler").asText()).getConstructor().newInstance();
                    handlers.put(job.get("handler").asText(), handler);
                }
                Object result = run(handler, job, out);
                answer.put("result", result == null ? null
                        : PayloadCodec.defaultCodec().encodeToString(handler.type(), result));
            } catch (Throwable e) {
                Throwable error = e instanceof java.lang.reflect.InvocationTargetException target ? target.getCause() : e;
                answer.putObject("error").put("class", error.getClass().getName()).put("message", error.getMessage())
                        .put("stack", JobExecutor.describe(error));
            }
            out.send(answer);
        }
    }

    private static <P> Object run(JobHandler<P> handler, JsonNode job, Channel out) throws Exception {
        P payload = PayloadCodec.defaultCodec().decode(handler.type(), job.get("payload").asText(), handler.payloadType());
        return handler.run(payload, new ChildContext(job, out));
    }

    /** The protocol's output: one JSON object per line, whole lines only. */
    private record Channel(PrintStream protocol, ObjectMapper json) {
        synchronized void send(JsonNode message) {
            try {
                protocol.println(json.writeValueAsString(message));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The job's context in the child: progress and log lines go to the worker, which records them. */
    private static final class ChildContext implements JobContext {
        private final JobRequest request;
        private final int attempt;
        private final Instant deadline;
        private final Channel out;

        ChildContext(JsonNode job, Channel out) {
            this.out = out;
            this.attempt = job.get("attempt").asInt();
            this.deadline = job.hasNonNull("deadlineMs") ? Instant.ofEpochMilli(job.get("deadlineMs").asLong()) : null;
            this.request = new JobRequest(job.get("id").asLong(), job.get("jobType").asText(), text(job, "queue"),
                    job.get("payload").asText(), JobStatus.RUNNING, 0, null, null, null, attempt,
                    job.get("maxAttempts").asInt(), text(job, "dedupKey"), null, text(job, "lockedBy"), null,
                    text(job, "runner"), false, null, null, null, null, null, null, null, List.of(), text(job, "traceParent"),
                    job.get("priority").asInt(), text(job, "concurrencyKey"), 0, null, null);
        }

        private static String text(JsonNode job, String field) {
            return job.hasNonNull(field) ? job.get(field).asText() : null;
        }

        @Override
        public JobRequest request() {
            return request;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public void progress(int percent, String message) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("Progress must be between 0 and 100, got " + percent);
            }
            out.send(out.json().createObjectNode().put("progress", percent).put("message", message));
        }

        @Override
        public void log(JobLogLine.Level level, String message) {
            out.send(out.json().createObjectNode().put("log", level.name()).put("message", message));
        }

        /** The worker ends the child when the job is cancelled: a running child is never told. */
        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Optional<Duration> remainingTime() {
            return deadline == null ? Optional.empty() : Optional.of(Duration.between(Instant.now(), deadline));
        }
    }
}
