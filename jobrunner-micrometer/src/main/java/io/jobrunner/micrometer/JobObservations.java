package io.jobrunner.micrometer;

import io.jobrunner.JobTracer;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Dispatches and runs as Micrometer Observations, so a tracer bridged to the registry (Micrometer
 * Tracing over OpenTelemetry or Brave; Spring Boot does it) makes them spans of one trace:
 * <ul>
 *   <li>{@value #DISPATCH}: a producer observation around each dispatch call. Its propagating handler
 *       writes the W3C {@code traceparent} of its span into the observation's carrier, which is what the
 *       work carries (stored with a job's request, in a task's envelope and SQS message attribute);</li>
 *   <li>{@value #RUN}: a consumer observation around each task run and each job attempt, on the thread
 *       that runs the handler and in scope while it runs (so the tracer's MDC fields are set), whose
 *       propagating handler continues the carried {@code traceparent} as the parent.</li>
 * </ul>
 * Low-cardinality keys {@value #WORK} ({@code task} or {@code job}) and {@value #NAME} (the task name or
 * job type); high-cardinality {@value #JOB_ID}, {@value #ATTEMPT} and {@value #COUNT}. A registry with a
 * meter handler also times both. With no tracer bridged nothing is carried. Thread-safe.
 *
 * <pre>{@code JobRunners.builder().tracer(JobObservations.of(observationRegistry)).build()}</pre>
 */
public final class JobObservations implements JobTracer {

    public static final String DISPATCH = "jobrunner.dispatch";
    public static final String RUN = "jobrunner.run";
    public static final String WORK = "jobrunner.work";
    public static final String NAME = "jobrunner.name";
    public static final String JOB_ID = "jobrunner.job.id";
    public static final String ATTEMPT = "jobrunner.attempt";
    public static final String COUNT = "jobrunner.count";
    /** The W3C Trace Context header the work carries. */
    static final String TRACE_PARENT = "traceparent";

    private final ObservationRegistry registry;

    private JobObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    public static JobObservations of(ObservationRegistry registry) {
        return new JobObservations(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public Span dispatch(Work work, String name, int count) {
        DispatchContext context = new DispatchContext();
        Observation observation = Observation.createNotStarted(DISPATCH, () -> context, registry)
                .contextualName("dispatch " + name)
                .lowCardinalityKeyValue(WORK, work.tag())
                .lowCardinalityKeyValue(NAME, name)
                .highCardinalityKeyValue(KeyValue.of(COUNT, Integer.toString(count)));
        return ObservedSpan.start(observation);
    }

    @Override
    public String traceParent() {
        ObservationView current = registry.getCurrentObservation();
        while (current != null) {
            if (current.getContextView() instanceof DispatchContext dispatch) {
                return dispatch.getCarrier().get(TRACE_PARENT);
            }
            current = current.getContextView().getParentObservation();
        }
        return null;
    }

    @Override
    public Span run(Work work, String name, long jobId, int attempt, String traceParent) {
        RunContext context = new RunContext(traceParent);
        Observation observation = Observation.createNotStarted(RUN, () -> context, registry)
                .contextualName("run " + name)
                .lowCardinalityKeyValue(WORK, work.tag())
                .lowCardinalityKeyValue(NAME, name);
        if (work == Work.JOB) {
            observation.highCardinalityKeyValue(JOB_ID, Long.toString(jobId))
                    .highCardinalityKeyValue(ATTEMPT, Integer.toString(attempt));
        }
        return ObservedSpan.start(observation);
    }

    /** A dispatch: its carrier receives the trace context the propagating handler writes at start. */
    static final class DispatchContext extends SenderContext<Map<String, String>> {
        DispatchContext() {
            super((carrier, key, value) -> carrier.put(key, value), Kind.PRODUCER);
            setCarrier(new HashMap<>(4));
            setRemoteServiceName("jobrunner");
        }
    }

    /** A run: its carrier is the {@code traceparent} the work carried, read by the propagating handler. */
    static final class RunContext extends ReceiverContext<String> {
        RunContext(String traceParent) {
            super((carrier, key) -> TRACE_PARENT.equals(key) && !carrier.isEmpty() ? carrier : null, Kind.CONSUMER);
            setCarrier(traceParent == null ? "" : traceParent);
            setRemoteServiceName("jobrunner");
        }
    }

    /** An observation started with its scope open on this thread; closing ends both. */
    private record ObservedSpan(Observation observation, Observation.Scope scope) implements Span {

        static ObservedSpan start(Observation observation) {
            observation.start();
            return new ObservedSpan(observation, observation.openScope());
        }

        @Override
        public void failed(Throwable error) {
            observation.error(error);
        }

        @Override
        public void close() {
            scope.close();
            observation.stop();
        }
    }
}
