package io.jobrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local Lambda answers only clients on this machine, and never reads a body past Lambda's limit. */
class LambdaEmulatorTest {

    private LambdaEmulator lambda;
    private int port;

    @BeforeEach
    void start() {
        lambda = LambdaEmulator.start(new LambdaEmulator.Function("jobs", "example.Handler::handleRequest",
                LambdaEmulator.runtimeClientJars(), Map.of(), 10, 0, 0));
        port = URI.create(lambda.endpoint()).getPort();
    }

    @AfterEach
    void stop() {
        lambda.close();
    }

    @Test
    void anEventFromThisMachineIsAccepted() throws IOException {
        assertThat(post("127.0.0.1:" + port, null, "{\"type\":\"JOB\",\"jobId\":1}")).startsWith("HTTP/1.1 202");
        assertThat(post("localhost:" + port, null, "{\"type\":\"JOB\",\"jobId\":2}")).startsWith("HTTP/1.1 202");
    }

    @Test
    void aForeignHostOrAWebPagesOriginIsRefused() throws IOException {
        assertThat(post("rebound.example:" + port, null, "{}")).startsWith("HTTP/1.1 403").contains("AccessDenied")
                .contains("127.0.0.1:" + port);
        assertThat(post("127.0.0.1:" + port, "https://evil.example", "{}")).startsWith("HTTP/1.1 403");
    }

    @Test
    void aBodyOverTheLimitIsRefusedUnread() throws IOException {
        String big = "\"" + "x".repeat(LambdaEmulator.ASYNC_PAYLOAD_LIMIT) + "\"";
        assertThat(post("127.0.0.1:" + port, null, big)).startsWith("HTTP/1.1 413").contains("RequestEntityTooLarge");
    }

    /** A raw HTTP request, so the Host and Origin headers are exactly what a test says. */
    private String post(String host, String origin, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            String head = "POST /2015-03-31/functions/jobs/invocations HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n")
                    + "X-Amz-Invocation-Type: Event\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException refusedBeforeTheEnd) {
                // the server may answer and close before reading it all: the answer is what counts
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
