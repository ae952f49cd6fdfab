package io.jobrunner.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.JobTracer;
import io.jobrunner.testkit.Await;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application with Spring Boot's tracing (Micrometer Tracing over OpenTelemetry, spans in an
 * in-memory exporter): a job dispatched in a request's span runs as a child span of its dispatch, with
 * the run's ids in the MDC; without tracing wanted, no tracer is wired.
 */
class TracingApplicationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path storeDir;

    private String[] properties() {
        return new String[] {"jobrunner.embedded-dir=" + storeDir, "jobrunner.runner=inprocess-async",
                "management.tracing.sampling.probability=1.0"};
    }

    /** Started as a SpringApplication, so Boot's tracing also installs its MDC hook as it does in an application. */
    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(Traced.class).web(WebApplicationType.NONE).properties(properties()).run();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ObservationAutoConfiguration.class, OpenTelemetrySdkAutoConfiguration.class,
            OpenTelemetryTracingAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
            JobRunnerObservationAutoConfiguration.class, JobRunnerAutoConfiguration.class})
    static class Traced {
        @Bean
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }

        @Bean
        JobHandler<String> traced() {
            return JobHandler.of("traced", String.class, (payload, context) -> {
                Map<String, String> fields = new HashMap<>();
                fields.put("traceId", String.valueOf(MDC.get("traceId")));
                fields.put("spanId", String.valueOf(MDC.get("spanId")));
                return fields;
            });
        }
    }

    private static SpanData span(InMemorySpanExporter spans, String name, String traceId) {
        return Await.value("a finished span '" + name + "' in trace " + traceId, TIMEOUT,
                () -> spans.getFinishedSpanItems().stream()
                        .filter(span -> span.getName().equals(name) && span.getTraceId().equals(traceId))
                        .findFirst().orElse(null),
                span -> span != null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobDispatchedInARequestsSpanRunsAsAChildOfItsDispatch() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBeansOfType(JobTracer.class)).hasSize(1);
            Tracer tracer = context.getBean(Tracer.class);
            JobRunner runner = context.getBean(JobRunner.class);
            Span request = tracer.nextSpan().name("POST /orders").start();
            JobRequest job;
            try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
                job = runner.dispatchJob(JobData.of("traced", "order-1"));
            } finally {
                request.end();
            }
            JobRequest done = runner.awaitCompletion(job.id(), TIMEOUT).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);

            InMemorySpanExporter spans = context.getBean(InMemorySpanExporter.class);
            String traceId = request.context().traceId();
            SpanData dispatch = span(spans, "dispatch traced", traceId);
            SpanData run = span(spans, "run traced", traceId);
            assertThat(dispatch.getParentSpanId()).isEqualTo(request.context().spanId());
            assertThat(run.getParentSpanId()).isEqualTo(dispatch.getSpanId());
            assertThat(done.traceParent()).isEqualTo("00-" + traceId + "-" + dispatch.getSpanId() + "-01");
            assertThat(done.result(Map.class).orElseThrow()).as("the MDC while the handler ran")
                    .containsEntry("traceId", traceId).containsEntry("spanId", run.getSpanId());
        }
    }

    @Test
    void observationsCanBeTurnedOff() {
        new ApplicationContextRunner().withPropertyValues(properties())
                .withPropertyValues("jobrunner.observations.enabled=false")
                .withUserConfiguration(Traced.class).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(JobTracer.class);
            JobRequest job = context.getBean(JobRunner.class).dispatchJob(JobData.of("traced", "order-2"));
            assertThat(job.traceParent()).isNull();
        });
    }
}
