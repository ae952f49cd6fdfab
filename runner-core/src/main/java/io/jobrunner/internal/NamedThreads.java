package io.jobrunner.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories whose threads say in thread dumps what they do: {@code prefix1}, {@code prefix2}, … */
public final class NamedThreads {

    private NamedThreads() {
    }

    /**
     * @param daemon true for threads that must not keep the JVM alive (timers, heartbeats); false for
     *               threads running user work, which shutdown drains explicitly
     */
    public static ThreadFactory factory(String prefix, boolean daemon) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(daemon);
            return thread;
        };
    }
}
