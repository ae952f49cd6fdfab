package io.jobrunner.inprocess;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/** Lease owner names that tell where a request runs: runner, host and process, plus a unique tail. */
final class WorkerIds {

    private WorkerIds() {
    }

    static String next(String runner) {
        return runner + "@" + ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
