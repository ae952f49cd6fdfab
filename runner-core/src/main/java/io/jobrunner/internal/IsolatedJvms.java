package io.jobrunner.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.JobHandler;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.PayloadCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of child JVMs that run isolated jobs ({@link JobPolicy.Builder#isolated}), one job
 * per child at a time: each child is this process's class path under {@link IsolatedJobMain}, with
 * the heap its job type's policy gives, started on first need and reused for the next job of that
 * heap. The worker's thread waits for the child's answer while it relays the job's progress and log
 * lines; a child that exits mid-job (an {@code OutOfMemoryError}, a crash, {@code System.exit}) fails
 * the attempt with its exit code; a timeout, a lost lease or a cancellation ends the child at once.
 * Thread-safe.
 */
final class IsolatedJvms implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IsolatedJvms.class);
    /** The exit code of a JVM started with {@code -XX:+ExitOnOutOfMemoryError} that ran out of heap. */
    private static final int OUT_OF_MEMORY_EXIT = 3;
    /** How often a waiting worker looks whether the job was cancelled. */
    private static final long CANCEL_CHECK_MILLIS = 50;
    private static final Object END = new Object();

    private final Semaphore running;
    private final Map<String, Deque<Child>> idle = new HashMap<>();
    private final List<Child> all = new ArrayList<>();
    private final ObjectMapper json = PayloadCodec.defaultCodec().mapper();
    private boolean closed;

    IsolatedJvms(int size) {
        this.running = new Semaphore(size);
    }

    /**
     * Runs the job in a child: returns its result as a JSON tree (or {@code null}); throws what the
     * handler threw (the same class when it has a message constructor, else {@link IsolatedJobException}),
     * or an {@link IsolatedJobException} when the child exited. Returns {@code null} once the job is
     * cancelled, having ended the child; throws {@link InterruptedException} after ending it when the
     * waiting thread is interrupted (a timeout, a lost lease, a shutdown).
     */
    Object run(JobHandler<?> handler, JobRequest claimed, int attempt, RunningJob running) throws Exception {
        String heap = handler.policy().isolation().maxHeap();
        this.running.acquire();
        Child child = null;
        boolean reusable = false;
        try {
            child = take(heap);
            ObjectNode job = json.createObjectNode().put("handler", handler.getClass().getName())
                    .put("jobType", claimed.jobType()).put("payload", claimed.payloadJson()).put("id", claimed.id())
                    .put("attempt", attempt).put("maxAttempts", claimed.maxAttempts()).put("queue", claimed.queueName())
                    .put("dedupKey", claimed.dedupKey()).put("lockedBy", claimed.lockedBy()).put("runner", claimed.runner())
                    .put("traceParent", claimed.traceParent()).put("priority", claimed.priority())
                    .put("concurrencyKey", claimed.concurrencyKey());
            running.remainingTime().ifPresent(left -> job.put("deadlineMs", System.currentTimeMillis() + left.toMillis()));
            child.send(job);
            while (true) {
                Object message = child.messages.poll(CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                if (running.isCancelled()) {
                    return null;  // the child is ended below; the executor records the cancellation
                }
                if (message == null) {
                    continue;
                }
                if (message == END) {
                    throw child.exited(claimed);
                }
                JsonNode answer = (JsonNode) message;
                if (answer.has("progress")) {
                    running.progress(answer.get("progress").asInt(), text(answer, "message"));
                } else if (answer.has("log")) {
                    running.log(JobLogLine.Level.valueOf(answer.get("log").asText()), text(answer, "message"));
                } else if (answer.has("error")) {
                    reusable = true;
                    throw rebuilt(answer.get("error"), claimed);
                } else {
                    reusable = true;
                    String result = text(answer, "result");
                    return result == null ? null : json.readTree(result);
                }
            }
        } finally {
            if (child != null) {
                give(child, reusable);
            }
            this.running.release();
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** The handler's error, as its own class when it can be made from a message, with the child's stack in the message. */
    private static Exception rebuilt(JsonNode error, JobRequest claimed) {
        String type = error.get("class").asText();
        String message = text(error, "message");
        String stack = text(error, "stack");
        try {
            Class<?> thrown = Class.forName(type, false, IsolatedJvms.class.getClassLoader());
            if (Exception.class.isAssignableFrom(thrown)) {
                Constructor<?> withMessage = thrown.getConstructor(String.class);
                Exception rebuilt = (Exception) withMessage.newInstance(message);
                rebuilt.setStackTrace(new StackTraceElement[0]);
                rebuilt.addSuppressed(new IsolatedJobException("thrown in the isolated JVM:\n" + stack));
                return rebuilt;
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // not makeable here: the generic error below carries its class and stack
        }
        return new IsolatedJobException("Job request " + claimed.id() + " (" + claimed.jobType() + ") failed in its"
                + " isolated JVM: " + stack);
    }

    private synchronized Child take(String heap) throws IOException {
        if (closed) {
            throw new IllegalStateException("The isolated JVMs are closed: the worker is stopping");
        }
        Deque<Child> ready = idle.get(heap);
        Child child = ready == null ? null : ready.poll();
        if (child != null && child.process.isAlive()) {
            return child;
        }
        child = Child.start(heap, json);
        all.add(child);
        return child;
    }

    private synchronized void give(Child child, boolean reusable) {
        if (reusable && !closed && child.process.isAlive()) {
            idle.computeIfAbsent(child.heap, h -> new ArrayDeque<>()).push(child);
        } else {
            child.end();
            all.remove(child);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Child child : all) {
            child.end();
        }
        all.clear();
        idle.clear();
    }

    /** One child JVM: its process, the writer of its input, and the messages its output brought. */
    private static final class Child {
        final String heap;
        final Process process;
        final Writer in;
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final ObjectMapper json;

        private Child(String heap, Process process, ObjectMapper json) {
            this.heap = heap;
            this.process = process;
            this.json = json;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "jobrunner-isolated-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String heap, ObjectMapper json) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = List.of(java, "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1",
                    "-Xshare:auto", "-cp", System.getProperty("java.class.path"), IsolatedJobMain.class.getName());
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Child child = new Child(heap, process, json);
            log.info("Started isolated JVM {} (heap {})", process.pid(), heap);
            return child;
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    JsonNode message = json.readTree(line);
                    if (!message.has("ready")) {
                        messages.add(message);
                    }
                }
            } catch (IOException e) {
                log.debug("Reading isolated JVM {} failed", process.pid(), e);
            } finally {
                messages.add(END);
            }
        }

        void send(JsonNode job) throws IOException {
            in.write(json.writeValueAsString(job));
            in.write('\n');
            in.flush();
        }

        /** The error for a child that exited mid-job, with its exit code and what it means. */
        IsolatedJobException exited(JobRequest claimed) throws InterruptedException {
            boolean ended = process.waitFor(5, TimeUnit.SECONDS);
            int code = ended ? process.exitValue() : -1;
            String why = code == OUT_OF_MEMORY_EXIT ? "it ran out of memory (OutOfMemoryError with -Xmx" + heap
                    + "; give the type more with JobPolicy.Builder.isolated(\"1g\"), or make the job use less)"
                    : "it exited with code " + code + " (a crash, or System.exit in the handler)";
            return new IsolatedJobException("Job request " + claimed.id() + " (" + claimed.jobType() + ") did not finish:"
                    + " its isolated JVM " + process.pid() + " stopped mid-run: " + why);
        }

        void end() {
            process.destroyForcibly();
        }
    }
}
