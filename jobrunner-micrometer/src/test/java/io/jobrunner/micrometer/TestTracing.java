package io.jobrunner.micrometer;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.EventPublishingContextWrapper;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.micrometer.tracing.otel.bridge.Slf4JEventListener;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.List;

/**
 * Micrometer Tracing over the OpenTelemetry SDK, wired as Spring Boot wires it: the propagating sender
 * and receiver handlers (W3C propagation), the default tracing handler, and the MDC listener that puts
 * {@code traceId}/{@code spanId} in the MDC while a span is in scope. Every span is exported, as it ends,
 * to the exporter given. One per process is enough; the MDC hook is installed once per JVM.
 */
final class TestTracing implements AutoCloseable {

    private static final Slf4JEventListener MDC = new Slf4JEventListener();

    static {
        // Must run before OpenTelemetry first reads its context storage in this JVM.
        ContextStorage.addWrapper(new EventPublishingContextWrapper(MDC::onEvent));
    }

    final ObservationRegistry registry = ObservationRegistry.create();
    final Tracer tracer;
    private final SdkTracerProvider provider;

    TestTracing(SpanExporter exporter) {
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        io.opentelemetry.api.trace.Tracer otel = sdk.getTracer("jobrunner-test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        tracer = new OtelTracer(otel, current, MDC::onEvent, new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(sdk.getPropagators(), otel);
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
    }

    /** A root span, as an incoming request would start; in scope on this thread until the returned scope closes. */
    Span root(String name) {
        return tracer.nextSpan().name(name).start();
    }

    @Override
    public void close() {
        provider.close();
    }
}
