package io.jobrunner.internal;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/**
 * Lease owner names, one format for every worker: {@code role@pid@host/tail}, e.g.
 * {@code sqs-worker@4242@ip-10-0-0-7/1f0c9a2e}. They tell an operator where an attempt ran.
 */
public final class WorkerIds {

    private WorkerIds() {
    }

    /** A new owner name for a worker of the role (a runner's name, {@code sqs-worker}, {@code lambda:function}). */
    public static String next(String role) {
        return role + "@" + ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
