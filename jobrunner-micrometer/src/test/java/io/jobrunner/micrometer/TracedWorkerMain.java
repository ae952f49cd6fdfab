package io.jobrunner.micrometer;

import io.jobrunner.JobRunners;
import io.jobrunner.inprocess.DatabaseWorker;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;

/**
 * A database worker in a process of its own, traced like {@link JobObservationsTest}'s producer, whose
 * finished spans are printed to standard output as {@code SPAN|name|traceId|spanId|parentSpanId} lines for
 * the test to read. Settings from the environment; runs until killed.
 */
public final class TracedWorkerMain {

    private TracedWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        TestTracing tracing = new TestTracing(new PrintingExporter());
        DatabaseWorker.create(JobRunners.builder().handlers(JobObservationsTest.handlers(null))
                .tracer(JobObservations.of(tracing.registry)).config()).start();
        System.out.println("READY");
        new CountDownLatch(1).await();
    }

    /** Prints each span as it ends. */
    private static final class PrintingExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            for (SpanData span : spans) {
                System.out.println(line(span));
            }
            System.out.flush();
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    static String line(SpanData span) {
        return "SPAN|" + span.getName() + "|" + span.getTraceId() + "|" + span.getSpanId() + "|"
                + span.getParentSpanId();
    }
}
