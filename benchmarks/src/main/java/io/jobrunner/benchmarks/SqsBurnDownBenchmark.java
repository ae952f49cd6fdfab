package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.sqs.SqsWorker;
import io.jobrunner.store.DatabaseUrl;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.PostgresFixture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Burn-down of 10,000 bulk-dispatched no-op jobs through the {@code sqs} runner and an
 * {@link SqsWorker} (defaults, PostgreSQL store), from {@code dispatchJobs} until the last job
 * succeeded, against the raw broker round trip on the same local SQS server in the same run: the
 * same number of messages sent with {@code SendMessageBatch} from as many parallel senders as the
 * runner uses, while as many pollers as the worker has receive ten at a time and delete each
 * batch with {@code DeleteMessageBatch}. Alternating rounds, side by side.
 *
 * <p>Arguments: jobs per round (default 10000), rounds (default 5). {@code -Dconcurrency=N} sets the
 * worker's {@code JOB_RUNNER_CONCURRENCY} (default 8), {@code -Dpollers=N} its
 * {@code JOB_RUNNER_SQS_POLLERS} (default 2, as many as the raw round trip has). Each round also
 * prints the SQS calls per job of both sides (they should match) and the runner's commits per job.
 */
public final class SqsBurnDownBenchmark {

    /** The runner's parallel {@code SendMessageBatch} calls and the worker's pollers, by default. */
    private static final int SENDERS = 8;
    private static final int POLLERS = 2;

    private SqsBurnDownBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<JobData> batch = NoopJob.batch(jobs);
        try (LocalSqs sqs = LocalSqs.start();
             PostgresFixture postgres = PostgresFixture.forTestClass(SqsBurnDownBenchmark.class);
             JdbiJobRequestStore store = JdbiJobRequestStore.open(DatabaseUrl.parse(postgres.serverUrl()), 12,
                     postgres.schema())) {
            LocalSqs.Queue queue = sqs.createQueue("burn", 30, 5);
            String rawQueue = sqs.createQueue("raw", 30, 5).url();
            Map<String, String> settings = new HashMap<>(sqs.settings(queue.url()));
            settings.put("JOB_RUNNER", "sqs");
            settings.put("JOB_RUNNER_CONCURRENCY", System.getProperty("concurrency", "8"));
            if (System.getProperty("pollers") != null) {
                settings.put("JOB_RUNNER_SQS_POLLERS", System.getProperty("pollers"));
            }
            HandlerRegistry handlers = HandlerRegistry.builder().job(new NoopJob()).build();
            SqsCallCounter ourCalls = new SqsCallCounter();
            SqsCallCounter rawCalls = new SqsCallCounter();
            try (SqsClient ourClient = sqs.client(ourCalls, 64);
                 SqsClient client = sqs.client(rawCalls, 64);
                 JobRunner runner = JobRunners.builder().environment(settings).handlers(HandlerRegistry.empty())
                         .store(store).client(SqsClient.class, ourClient).build();
                 SqsWorker worker = SqsWorker.create(JobRunners.builder().environment(settings).handlers(handlers)
                         .store(store).client(SqsClient.class, ourClient).config())) {
                worker.start();
                SideBySide.Round ours = () -> {
                    postgres.execute("TRUNCATE job_request CASCADE");
                    ourCalls.reset();
                    long commitsBefore = Finish.commits(postgres);
                    long start = System.currentTimeMillis();
                    long first = runner.dispatchJobs(batch).get(0).id();
                    long dispatched = System.currentTimeMillis() - start;
                    long took = Finish.awaitSucceeded(postgres, first, jobs) - start;
                    double commits = (Finish.commits(postgres) - commitsBefore) / (double) jobs;
                    System.out.printf("    runner: dispatchJobs returned after %,d ms of %,d; %.2f commits per job; "
                            + "calls per job: %s%n", dispatched, took, commits, ourCalls.perJob(jobs));
                    return took * 1_000_000;
                };
                SideBySide.Round raw = () -> {
                    rawCalls.reset();
                    long took = rawRoundTrip(client, rawQueue, jobs);
                    System.out.printf("    raw: calls per message: %s%n", rawCalls.perJob(jobs));
                    return took;
                };
                double ratio = SideBySide.compare("Burn-down of " + jobs + " bulk-dispatched no-op jobs through SQS (local"
                                + " ElasticMQ), PostgreSQL store", "jobs/s", jobs, 1, rounds,
                        "sqs runner + SqsWorker", ours, "raw batched send/receive/delete", raw);
                System.out.printf("Target: at least 0.8 of the raw batched broker round trip -> %s%n",
                        ratio >= 0.8 ? "met" : "NOT met");
            }
        }
    }

    /** Nanoseconds to send {@code count} messages in batches of ten and receive and delete them all. */
    private static long rawRoundTrip(SqsClient client, String queueUrl, int count) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(SENDERS + POLLERS);
        try {
            AtomicInteger deleted = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            AtomicInteger nextBatch = new AtomicInteger();
            for (int s = 0; s < SENDERS; s++) {
                work.add(threads.submit(() -> {
                    int from;
                    while ((from = nextBatch.getAndAdd(10)) < count) {
                        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                        for (int i = from; i < Math.min(count, from + 10); i++) {
                            entries.add(SendMessageBatchRequestEntry.builder().id(String.valueOf(i))
                                    .messageBody("{\"type\":\"JOB\",\"jobId\":" + i + "}").build());
                        }
                        client.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                    }
                    return null;
                }));
            }
            for (int p = 0; p < POLLERS; p++) {
                work.add(threads.submit(() -> {
                    while (deleted.get() < count) {
                        List<Message> messages = client.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                                .waitTimeSeconds(1)).messages();
                        if (messages.isEmpty()) {
                            continue;
                        }
                        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                        for (Message message : messages) {
                            entries.add(DeleteMessageBatchRequestEntry.builder().id(message.messageId())
                                    .receiptHandle(message.receiptHandle()).build());
                        }
                        client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                        deleted.addAndGet(messages.size());
                    }
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
            return System.nanoTime() - start;
        } finally {
            threads.shutdownNow();
        }
    }
}
