package io.jobrunner.examples;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;
import io.jobrunner.JobPolicy;
import io.jobrunner.TaskHandler;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The example application's handlers: one task, two jobs. */
public final class ExampleHandlers {

    private static final Logger log = LoggerFactory.getLogger(ExampleHandlers.class);

    /** A task's payload. */
    public record Welcome(String email) {
    }

    /** A job's payload. */
    public record ReportRequest(String name, int sections) {
    }

    /** A job's result, stored on its request as JSON. */
    public record ReportSummary(String name, int sections, String location) {
    }

    private ExampleHandlers() {
    }

    public static HandlerRegistry registry() {
        return HandlerRegistry.builder()
                .task(new SendWelcomeEmail())
                .job(new GenerateReport())
                .job(new SyncCrm())
                .build();
    }

    /** A task: light, fire-and-forget, nothing stored. */
    public static final class SendWelcomeEmail implements TaskHandler<Welcome> {
        @Override
        public String name() {
            return "send-welcome-email";
        }

        @Override
        public Class<Welcome> payloadType() {
            return Welcome.class;
        }

        @Override
        public void run(Welcome welcome) {
            log.info("Sent the welcome email to {}", welcome.email());
        }
    }

    /** A tracked job that reports progress section by section and returns a summary. */
    public static final class GenerateReport implements JobHandler<ReportRequest> {
        @Override
        public String type() {
            return "generate-report";
        }

        @Override
        public Class<ReportRequest> payloadType() {
            return ReportRequest.class;
        }

        @Override
        public Object run(ReportRequest request, JobContext context) throws InterruptedException {
            for (int section = 1; section <= request.sections(); section++) {
                if (context.isCancelled()) {
                    return null;
                }
                Thread.sleep(150);
                context.progress(section * 100 / request.sections(),
                        "wrote section " + section + " of " + request.sections());
            }
            return new ReportSummary(request.name(), request.sections(), "reports/" + request.name() + ".pdf");
        }
    }

    /** A tracked job whose first attempt fails, to show a retry recorded on the request. */
    public static final class SyncCrm implements JobHandler<String> {
        private final ConcurrentHashMap<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        @Override
        public String type() {
            return "sync-crm";
        }

        /** Syncing an account twice is harmless, so failures are retried: up to 3 attempts, about 0.5 s then 1 s apart. */
        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().idempotent().maxAttempts(3)
                    .backoff(Duration.ofMillis(500), Duration.ofSeconds(30)).build();
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public Object run(String account, JobContext context) {
            if (context.attempt() == 1 && attempts.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet() == 1) {
                throw new IllegalStateException("CRM timed out for account " + account + " (first attempt fails on purpose)");
            }
            return "synced " + account;
        }
    }
}
