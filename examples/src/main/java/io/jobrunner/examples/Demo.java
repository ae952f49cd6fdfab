package io.jobrunner.examples;

import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.examples.ExampleHandlers.ReportRequest;
import io.jobrunner.examples.ExampleHandlers.Welcome;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dispatches a few tasks and jobs with the runner the environment picks (by default
 * {@code inprocess-async} on the embedded store in {@code ./.jobrunner/}), shows progress as it
 * goes, and prints the final job requests.
 */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putIfAbsent("JOB_RUNNER_RETRY_BASE_DELAY", "500ms");
        try (JobRunner runner = JobRunners.builder().environment(environment).handlers(ExampleHandlers.registry()).build()) {
            System.out.println("Runner: " + runner.name() + ", store: " + runner.jobs().description());

            for (String email : List.of("ada@example.com", "grace@example.com", "linus@example.com")) {
                runner.dispatchTask("send-welcome-email", new Welcome(email));
            }

            List<JobRequest> jobs = new ArrayList<>();
            jobs.add(runner.dispatchJob(JobData.of("generate-report", new ReportRequest("weekly-sales", 4))));
            jobs.add(runner.dispatchJob(JobData.builder("generate-report").payload(new ReportRequest("daily-" + LocalDate.now(), 3))
                    .dedupKey("daily-report-" + LocalDate.now()).build()));
            jobs.add(runner.dispatchJob(JobData.of("sync-crm", "ACME-42")));
            for (JobRequest job : jobs) {
                System.out.println("Dispatched " + job);
            }

            watch(runner.jobs(), jobs);

            System.out.println();
            System.out.println("Final job requests:");
            for (JobRequest job : jobs) {
                JobRequest last = runner.jobs().find(job.id()).orElseThrow();
                System.out.println("  " + last);
            }
        }
    }

    /** Prints each change of status or progress until every job is finished. */
    private static void watch(JobRequests store, List<JobRequest> jobs) throws InterruptedException {
        Map<Long, String> lastSeen = new HashMap<>();
        long deadline = System.currentTimeMillis() + 60_000;
        boolean allFinished = false;
        while (!allFinished && System.currentTimeMillis() < deadline) {
            allFinished = true;
            for (JobRequest job : jobs) {
                JobRequest now = store.find(job.id()).orElseThrow();
                String line = "job " + now.id() + " " + now.jobType() + ": " + now.status().dbValue() + " "
                        + now.progress() + "%" + (now.resultMessage() == null ? "" : " (" + now.resultMessage() + ")")
                        + " attempt " + now.attempts() + "/" + now.maxAttempts();
                if (!line.equals(lastSeen.put(now.id(), line))) {
                    System.out.println("  " + line);
                }
                allFinished &= now.status().isFinished();
            }
            Thread.sleep(50);
        }
    }
}
