package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.TaskHandler;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.local.LocalSqs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Tasks per second end to end (dispatch, receive, run, delete) through the {@code sqs} runner and
 * an {@link SqsWorker} with its default settings, against a naive loop of single
 * {@code SendMessage} / {@code ReceiveMessage(1)} / {@code DeleteMessage} calls, on the same
 * embedded ElasticMQ server in the same run.
 *
 * <p>Arguments: tasks per round through the runner (default 5000), through the naive loop (default 1000).
 */
public final class SqsThroughputBenchmark {

    private SqsThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int naiveTasks = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        AtomicReference<CountDownLatch> done = new AtomicReference<>(new CountDownLatch(0));
        HandlerRegistry handlers = HandlerRegistry.builder()
                .task(TaskHandler.of("noop", Integer.class, n -> done.get().countDown()))
                .build();
        try (LocalSqs sqs = LocalSqs.start();
             JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(
                     java.nio.file.Files.createTempDirectory("jobrunner-bench-"))) {
            LocalSqs.Queue queue = sqs.createQueue("bench", 30, 5);
            String naiveQueue = sqs.createQueue("naive", 30, 5).url();
            Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
            settings.put("JOB_RUNNER", "sqs");
            settings.put("JOB_RUNNER_ALLOW_EMBEDDED_STORE", "true");
            try (JobRunner runner = JobRunners.builder().environment(settings).handlers(handlers).store(store).build();
                 SqsWorker worker = SqsWorker.create(settings, handlers, store)) {
                worker.start();
                List<Integer> payloads = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    payloads.add(i);
                }
                SideBySide.Round bulk = () -> {
                    done.set(new CountDownLatch(tasks));
                    long start = System.nanoTime();
                    for (int sent = 0; sent < tasks; sent += payloads.size()) {
                        runner.dispatchTasks("noop", payloads.subList(0, Math.min(payloads.size(), tasks - sent)));
                    }
                    await(done.get());
                    return System.nanoTime() - start;
                };
                SideBySide.Round single = () -> {
                    done.set(new CountDownLatch(tasks));
                    long start = System.nanoTime();
                    for (int i = 0; i < tasks; i++) {
                        runner.dispatchTask("noop", i);
                    }
                    await(done.get());
                    return System.nanoTime() - start;
                };
                SqsClient client = sqs.client();
                SideBySide.Round naive = () -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < naiveTasks; i++) {
                        String body = "{\"type\":\"TASK\",\"taskName\":\"noop\",\"payload\":" + i + "}";
                        client.sendMessage(b -> b.queueUrl(naiveQueue).messageBody(body));
                        List<Message> received = client.receiveMessage(b -> b.queueUrl(naiveQueue).maxNumberOfMessages(1)
                                .waitTimeSeconds(1)).messages();
                        for (Message message : received) {
                            client.deleteMessage(b -> b.queueUrl(naiveQueue).receiptHandle(message.receiptHandle()));
                        }
                    }
                    return System.nanoTime() - start;
                };
                double ratio = SideBySide.compare("sqs: tasks per second end to end on ElasticMQ, worker defaults, "
                                + "dispatchTasks in lists of 100", "tasks/s", tasks, 2, 5,
                        "sqs runner + SqsWorker", bulk, "naive send/receive/delete", scaled(naive, tasks, naiveTasks));
                System.out.printf("Target: at least 4x the naive loop -> %s%n%n", ratio >= 4 ? "met" : "NOT met");
                SideBySide.compare("sqs: the same with one dispatchTask call per task", "tasks/s", tasks, 1, 3,
                        "sqs runner, single sends", single, "naive send/receive/delete", scaled(naive, tasks, naiveTasks));
            }
        }
    }

    /** Lets a round of fewer operations be compared per operation with a round of {@code tasks}. */
    private static SideBySide.Round scaled(SideBySide.Round round, int tasks, int actual) {
        return () -> round.run() * tasks / actual;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Tasks did not all run within 5 minutes; " + latch.getCount() + " left");
        }
    }
}
