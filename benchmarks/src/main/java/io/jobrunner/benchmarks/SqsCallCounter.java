package io.jobrunner.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** Counts the SQS calls a client makes, by operation, and the messages its receives brought. */
final class SqsCallCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final LongAdder received = new LongAdder();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), name -> new LongAdder())
                .increment();
        if (context.response() instanceof ReceiveMessageResponse response) {
            received.add(response.messages().size());
        }
    }

    void reset() {
        calls.clear();
        received.reset();
    }

    /** Calls per job by operation, and messages per receive. */
    String perJob(int jobs) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(calls).forEach((operation, count) -> text.append(String.format(Locale.ROOT, "%s %.3f, ", operation,
                count.sum() / (double) jobs)));
        long receives = calls.getOrDefault("ReceiveMessage", new LongAdder()).sum();
        return text.append(String.format(Locale.ROOT, "%.1f messages per receive",
                receives == 0 ? 0.0 : received.sum() / (double) receives)).toString();
    }
}
