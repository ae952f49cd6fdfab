package io.jobrunner.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Lease owner names, one format for every worker: {@code role@pid@host/tail}, e.g.
 * {@code sqs-worker@4242@ip-10-0-0-7/1f0c9a2e}. They tell an operator where an attempt ran. Built
 * without JMX or a secure random source, both slow to start, since a function builds one on its
 * first job.
 */
public final class WorkerIds {

    private static volatile String process;

    private WorkerIds() {
    }

    /** A new owner name for a worker of the role (a runner's name, {@code sqs-worker}, {@code lambda:function}). */
    public static String next(String role) {
        return role + "@" + process() + "/" + String.format("%08x", (int) tail());
    }

    /**
     * Random bits mixed with the clock: containers restored from one snapshot (Lambda SnapStart)
     * share the random generator's state, never the nanosecond they ask at.
     */
    private static long tail() {
        long bits = ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
        bits = (bits ^ (bits >>> 30)) * 0xbf58476d1ce4e5b9L;
        bits = (bits ^ (bits >>> 27)) * 0x94d049bb133111ebL;
        return bits ^ (bits >>> 31);
    }

    /** {@code pid@host}, worked out once. */
    private static String process() {
        String current = process;
        if (current == null) {
            current = ProcessHandle.current().pid() + "@" + hostName();
            process = current;
        }
        return current;
    }

    /** This machine's name, as worker ids carry it. */
    public static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
