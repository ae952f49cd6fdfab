package io.jobrunner.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a long-running command (a worker, the dashboard) up until SIGTERM or Ctrl-C, then closes what it opened. */
final class UntilStopped {

    private UntilStopped() {
    }

    /** Blocks until the JVM is asked to stop; the shutdown closes each resource, first to last. */
    static int await(String command, AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                for (AutoCloseable resource : resources) {
                    try {
                        resource.close();
                    } catch (Exception e) {
                        System.err.println("jobrunner " + command + ": shutting down failed: " + e);
                    }
                }
            } finally {
                stopped.countDown();
            }
        }, "jobrunner-" + command + "-shutdown"));
        stopped.await();
        return 0;
    }
}
