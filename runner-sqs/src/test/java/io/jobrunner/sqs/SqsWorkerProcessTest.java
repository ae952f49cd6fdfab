package io.jobrunner.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.ChildJvm;
import io.jobrunner.local.LocalSqs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SqsWorkerMain} as a real separate process: killed mid-job, and stopped with SIGTERM. */
class SqsWorkerProcessTest extends SqsFixtures {

    private static Map<String, String> processEnvironment(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("DATABASE_URL", postgres.serverUrl());
        environment.put("JOB_RUNNER_DB_SCHEMA", postgres.schema());
        environment.put("JOB_RUNNER_DB_POOL_SIZE", "4");
        return environment;
    }

    private static ChildJvm startWorkerProcess(Map<String, String> settings) {
        return ChildJvm.start(SqsWorkerMain.class.getName(), processEnvironment(settings), List.of("-Xmx256m"));
    }

    @Test
    void aWorkerKilledMidJobLeavesItToAnotherWorkerWhichCompletesIt() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("crash", 3, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_LEASE_TIME", "3s");
        try (ChildJvm doomed = startWorkerProcess(settings)) {
            JobRequest job = producer(settings).dispatchJob(JobData.of("crash-once", 120_000));
            JobRequest running = Await.value("the job runs in the child worker", TIMEOUT, () -> store.find(job.id()).orElseThrow(),
                    request -> request.status() == JobStatus.RUNNING);
            assertThat(running.lockedBy()).contains(String.valueOf(doomed.pid()));

            doomed.kill();

            worker(settings, HandlerRegistry.builder().job(new CrashOnceJob()).build());
            JobRequest done = awaitFinished(job.id());
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(2);
            assertThat(done.resultJson()).isEqualTo("\"done on attempt 2\"");
            Await.until("the message was deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
        }
    }

    @Test
    void sigtermLetsTheRunningJobFinishBeforeTheProcessExits() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("sigterm", 30, 5);
        Map<String, String> settings = settings(queue, "JOB_RUNNER_SHUTDOWN_TIMEOUT", "30s");
        try (ChildJvm worker = startWorkerProcess(settings)) {
            JobRequest job = producer(settings).dispatchJob(JobData.of("crash-once", 3_000));
            Await.until("the job runs in the child worker", TIMEOUT,
                    () -> store.find(job.id()).orElseThrow().status() == JobStatus.RUNNING);

            int exit = worker.terminate(60);

            assertThat(worker.output()).contains("Shutting down the SQS worker");
            JobRequest done = store.find(job.id()).orElseThrow();
            assertThat(done.status()).as("exit %d, output:%n%s", exit, worker.output()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.resultJson()).isEqualTo("\"done on attempt 1\"");
            Await.until("the message was deleted", TIMEOUT, () -> sqs.approximateMessages(queue.url()) == 0);
        }
    }
}
