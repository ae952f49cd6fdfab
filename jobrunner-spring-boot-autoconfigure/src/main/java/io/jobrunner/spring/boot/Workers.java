package io.jobrunner.spring.boot;

import io.jobrunner.JobRunnerConfig;
import io.jobrunner.inprocess.DatabaseWorker;
import io.jobrunner.sqs.SqsWorker;

/** The worker of a runner whose jobs wait for workers, built from the runner's own configuration (its store, its handlers). */
final class Workers {

    private Workers() {
    }

    /** Refuses a runner that has no workers, naming the properties to change. */
    static void check(String runner) {
        if (!runner.equals("database") && !runner.equals("sqs")) {
            throw new IllegalStateException("jobrunner.worker.enabled=true, but runner '" + runner + "' has no "
                    + "workers: its jobs run in the process that dispatches them (inprocess-*) or in the function (lambda-async)."
                    + " Set jobrunner.runner=database or sqs, or unset jobrunner.worker.enabled");
        }
    }

    static AutoCloseable start(String runner, JobRunnerConfig config) {
        check(runner);
        return runner.equals("database") ? Database.start(config) : Sqs.start(config);
    }

    /** Loaded only for the database runner, so runner-inprocess may be absent otherwise. */
    private static final class Database {
        static AutoCloseable start(JobRunnerConfig config) {
            return DatabaseWorker.create(config).start();
        }
    }

    /** Loaded only for the sqs runner, so runner-sqs may be absent otherwise. */
    private static final class Sqs {
        static AutoCloseable start(JobRunnerConfig config) {
            SqsWorker worker = SqsWorker.create(config);
            worker.start();
            return worker;
        }
    }
}
