package io.jobrunner.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local Lambda: it serves the Invoke API ({@code Event} answers 202 and runs in the background,
 * {@code RequestResponse} answers 200 with the result) and the Runtime API, and runs the function's
 * jar in child JVMs under AWS's Runtime Interface Client, exactly as the Lambda Java runtime does.
 * Failed {@code Event} invocations are retried like Lambda's asynchronous retries, after a short
 * delay instead of minutes.
 */
public final class LambdaEmulator implements AutoCloseable {

    static {
        // Without TCP_NODELAY each small runtime-API response waits out a delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** The Runtime Interface Client's entry point. */
    public static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** The runtime client's system property naming an already unpacked copy of its native library. */
    private static final String NATIVE_LIBRARY_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    public static final String ACCOUNT = "000000000000";
    /** Lambda's limit for an asynchronous invocation's payload. */
    public static final int ASYNC_PAYLOAD_LIMIT = 256 * 1024;
    /** Lambda's limit for a synchronous invocation's payload; no request body is read beyond it. */
    public static final int SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;

    /**
     * A function to emulate.
     *
     * @param classPath    the function's jar(s) and the runtime client's jars
     * @param asyncRetries retries of a failed {@code Event} invocation (Lambda: 0 to 2)
     */
    public record Function(String name, String handler, List<Path> classPath, Map<String, String> environment,
                           int timeoutSeconds, int containers, int asyncRetries) {
    }

    /** A finished invocation: its payload, and its response or error. */
    public record Outcome(String payload, String response, String error) {
    }

    private record Invocation(String requestId, byte[] payload, boolean async, int attempt,
                              CompletableFuture<Outcome> outcome) {
    }

    private static List<Path> runtimeJars;

    private final Function function;
    private final HttpServer server;
    private final LinkedBlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();
    private final List<Outcome> failedEvents = new CopyOnWriteArrayList<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final AtomicLong completedEvents = new AtomicLong();
    private final AtomicLong acceptedEvents = new AtomicLong();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lambda-emulator-retries");
        thread.setDaemon(true);
        return thread;
    });
    private final List<ChildJvm> containers = new ArrayList<>();
    private final Path nativeLibrary;
    private final long startedNanos;
    private final AtomicLong firstPollNanos = new AtomicLong();
    private final AtomicLong firstHandedOutNanos = new AtomicLong();
    private final AtomicLong firstResponseNanos = new AtomicLong();

    private LambdaEmulator(Function function, int port) throws IOException {
        this.function = function;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        this.server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "lambda-emulator-http");
            thread.setDaemon(true);
            return thread;
        }));
        this.server.createContext("/2015-03-31/functions/", this::invoke);
        this.server.createContext("/2018-06-01/runtime/", this::runtime);
        this.server.start();
        this.startedNanos = System.nanoTime();
        this.nativeLibrary = unpackNativeLibrary(function.classPath());
        for (int i = 0; i < function.containers(); i++) {
            containers.add(startContainer());
        }
    }

    /** Serves the function on a free loopback port. */
    public static LambdaEmulator start(Function function) {
        return start(function, 0);
    }

    /** Serves the function on 127.0.0.1 at {@code port} (0: any free one). */
    public static LambdaEmulator start(Function function, int port) {
        try {
            return new LambdaEmulator(function, port);
        } catch (IOException e) {
            throw new UncheckedIOException("The local Lambda cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port", e);
        }
    }

    /**
     * The Runtime Interface Client's jars (the client and its serialization library), bundled in this
     * module's jar and copied once to a temporary directory: what a function's class path needs
     * besides its own jar.
     */
    public static synchronized List<Path> runtimeClientJars() {
        if (runtimeJars == null) {
            try {
                Path directory = Files.createTempDirectory("jobrunner-lambda-runtime-");
                List<Path> jars = new ArrayList<>();
                for (String name : List.of("aws-lambda-java-runtime-interface-client.jar", "aws-lambda-java-serialization.jar")) {
                    try (InputStream in = LambdaEmulator.class.getResourceAsStream("runtime/" + name)) {
                        if (in == null) {
                            throw new IllegalStateException("The jobrunner-local jar lacks runtime/" + name
                                    + "; it is bundled by the module's build (mvn package)");
                        }
                        Path jar = directory.resolve(name);
                        Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
                        jar.toFile().deleteOnExit();
                        jars.add(jar);
                    }
                }
                directory.toFile().deleteOnExit();
                runtimeJars = List.copyOf(jars);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return runtimeJars;
    }

    /** The endpoint for {@code AWS_ENDPOINT_URL_LAMBDA}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * The cold start: from starting the containers' JVMs to the first response, less any time the
     * ready runtime spent waiting for its first event. That is the runtime's init (JVM start to its
     * first poll) plus the first invocation's duration.
     */
    public Optional<Duration> coldStart() {
        long response = firstResponseNanos.get();
        if (response == 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos((firstPollNanos.get() - startedNanos) + (response - firstHandedOutNanos.get())));
    }

    /** Asynchronous invocations whose every attempt failed. */
    public List<Outcome> failedEvents() {
        return List.copyOf(failedEvents);
    }

    /** Asynchronous invocations accepted (202) so far. */
    public long acceptedEvents() {
        return acceptedEvents.get();
    }

    /** Asynchronous invocations that completed without error. */
    public long completedEvents() {
        return completedEvents.get();
    }

    public List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    /** The files the containers' output goes to, one per container. */
    public List<Path> containerLogFiles() {
        return containers.stream().map(ChildJvm::logFile).toList();
    }

    /** What the containers printed: their logs. */
    public String containerOutput() {
        StringBuilder output = new StringBuilder();
        for (ChildJvm container : containers) {
            output.append("--- container ").append(container.pid()).append(" ---\n").append(container.output());
        }
        return output.toString();
    }

    private ChildJvm startContainer() {
        Map<String, String> environment = new HashMap<>(function.environment());
        environment.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + server.getAddress().getPort());
        environment.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        environment.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        environment.put("AWS_LAMBDA_LOG_STREAM_NAME", "emulator/" + UUID.randomUUID());
        environment.put("_HANDLER", function.handler());
        environment.putIfAbsent("AWS_REGION", "us-east-1");
        environment.putIfAbsent("AWS_ACCESS_KEY_ID", "test");
        environment.putIfAbsent("AWS_SECRET_ACCESS_KEY", "test");
        environment.putIfAbsent("AWS_ENDPOINT_URL_LAMBDA", endpoint());
        String classPath = String.join(java.io.File.pathSeparator, function.classPath().stream().map(Path::toString).toList());
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        if (nativeLibrary != null) {
            options.add("-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary);
        }
        return ChildJvm.start(RUNTIME_CLIENT, List.of(function.handler()), classPath, environment, options);
    }

    /**
     * Unpacks the runtime client's native library once for all containers. Left to itself, each
     * container copies it to one fixed path in /tmp (Lambda gives every container its own /tmp) and
     * loads it from there; containers starting together on one host then overwrite the file under
     * each other and fail to start. Null when the class path holds no such library (the client then
     * unpacks its own).
     */
    private static Path unpackNativeLibrary(List<Path> classPath) throws IOException {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "aarch_64" : "x86_64";
        String resource = "jni/libaws-lambda-jni.linux-" + arch + ".so";
        URL[] urls = new URL[classPath.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = classPath.get(i).toUri().toURL();
        }
        try (URLClassLoader loader = new URLClassLoader(urls, null);
             InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Path copy = Files.createTempFile("libaws-lambda-jni-", ".so");
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().deleteOnExit();
            return copy;
        }
    }

    /**
     * Refuses what no SDK on this machine sends: a {@code Host} other than this loopback address (DNS
     * rebinding), or an {@code Origin} (a web page's request). True when refused.
     */
    private boolean refusedForeign(HttpExchange exchange) throws IOException {
        String host = exchange.getRequestHeaders().getFirst("Host");
        int port = server.getAddress().getPort();
        boolean local = host != null && (host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port)
                || host.equals("[::1]:" + port));
        if (!local || exchange.getRequestHeaders().containsKey("Origin")) {
            error(exchange, 403, "AccessDeniedException", "The local Lambda answers only clients on this machine"
                    + " addressing it as 127.0.0.1:" + port + " or localhost:" + port + ", and no web page (Host: "
                    + host + ")");
            return true;
        }
        return false;
    }

    /** The request body, or {@code null} when it is longer than {@code limit} (the rest is not read). */
    private static byte[] body(HttpExchange exchange, int limit) throws IOException {
        byte[] read = exchange.getRequestBody().readNBytes(limit + 1);
        return read.length > limit ? null : read;
    }

    private void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (refusedForeign(exchange)) {
                return;
            }
            String path = URLDecoder.decode(exchange.getRequestURI().getPath(), StandardCharsets.UTF_8);
            String target = path.substring("/2015-03-31/functions/".length()).replaceFirst("/invocations$", "");
            if (!"POST".equals(exchange.getRequestMethod()) || !names(target)) {
                error(exchange, 404, "ResourceNotFoundException", "Function not found: " + target);
                return;
            }
            String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type")).orElse("RequestResponse");
            int limit = type.equals("Event") ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
            byte[] payload = body(exchange, limit);
            if (payload == null) {
                error(exchange, 413, "RequestEntityTooLargeException", "Request must be smaller than " + limit
                        + " bytes for the " + (type.equals("Event") ? "InvokeAsync" : "Invoke") + " operation");
                return;
            }
            switch (type) {
                case "Event" -> {
                    if (payload.length > ASYNC_PAYLOAD_LIMIT) {
                        error(exchange, 413, "RequestEntityTooLargeException", "Request must be smaller than "
                                + ASYNC_PAYLOAD_LIMIT + " bytes for the InvokeAsync operation");
                        return;
                    }
                    acceptedEvents.incrementAndGet();
                    pending.add(new Invocation(UUID.randomUUID().toString(), payload, true, 1, null));
                    respond(exchange, 202, new byte[0], Map.of());
                }
                case "DryRun" -> respond(exchange, 204, new byte[0], Map.of());
                default -> {
                    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
                    pending.add(new Invocation(UUID.randomUUID().toString(), payload, false, 1, outcome));
                    Outcome done = outcome.get(function.timeoutSeconds() + 30L, TimeUnit.SECONDS);
                    if (done.error() != null) {
                        respond(exchange, 200, done.error().getBytes(StandardCharsets.UTF_8),
                                Map.of("X-Amz-Function-Error", "Unhandled"));
                    } else {
                        respond(exchange, 200, done.response().getBytes(StandardCharsets.UTF_8), Map.of());
                    }
                }
            }
        } catch (Exception e) {
            error(exchange, 500, "ServiceException", e.toString());
        }
    }

    private boolean names(String target) {
        String name = target.contains(":function:") ? target.substring(target.indexOf(":function:") + 10) : target;
        int qualifier = name.indexOf(':');
        return (qualifier < 0 ? name : name.substring(0, qualifier)).equals(function.name());
    }

    private void runtime(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (refusedForeign(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath().substring("/2018-06-01/runtime/".length());
            if (path.equals("invocation/next")) {
                firstPollNanos.compareAndSet(0, System.nanoTime());
                Invocation next = pending.take();
                firstHandedOutNanos.compareAndSet(0, System.nanoTime());
                running.put(next.requestId(), next);
                long deadline = System.currentTimeMillis() + function.timeoutSeconds() * 1000L;
                respond(exchange, 200, next.payload(), Map.of(
                        "Lambda-Runtime-Aws-Request-Id", next.requestId(),
                        "Lambda-Runtime-Deadline-Ms", String.valueOf(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function.name(),
                        "Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                                + UUID.randomUUID().toString().replace("-", "").substring(0, 24) + ";Parent=0000000000000000;Sampled=0",
                        "Content-Type", "application/json"));
            } else if (path.equals("init/error")) {
                initErrors.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                respond(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8), Map.of());
            } else if (path.startsWith("invocation/")) {
                String[] parts = path.split("/");
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                finish(parts[1], parts[2].equals("response") ? body : null, parts[2].equals("error") ? body : null);
                respond(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8), Map.of());
            } else {
                error(exchange, 404, "NotFound", path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void finish(String requestId, String response, String error) {
        firstResponseNanos.compareAndSet(0, System.nanoTime());
        Invocation invocation = running.remove(requestId);
        if (invocation == null) {
            return;
        }
        Outcome outcome = new Outcome(new String(invocation.payload(), StandardCharsets.UTF_8), response, error);
        if (!invocation.async()) {
            invocation.outcome().complete(outcome);
        } else if (error == null) {
            completedEvents.incrementAndGet();
        } else if (invocation.attempt() <= function.asyncRetries()) {
            Invocation retry = new Invocation(UUID.randomUUID().toString(), invocation.payload(), true,
                    invocation.attempt() + 1, null);
            retries.schedule(() -> pending.add(retry), 200, TimeUnit.MILLISECONDS);
        } else {
            failedEvents.add(outcome);
        }
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        String body = "{\"Type\":\"User\",\"message\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(message) + "}";
        respond(exchange, status, body.getBytes(StandardCharsets.UTF_8), Map.of("x-amzn-ErrorType", type));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        if (!headers.containsKey("Content-Type")) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        for (ChildJvm container : containers) {
            container.close();
        }
        retries.shutdownNow();
        server.stop(0);
    }
}
