package io.jobrunner.internal;

/**
 * An isolated job's attempt that failed in its child JVM: the child stopped mid-run (out of memory,
 * a crash), or the handler threw an error that cannot be made again in the worker (its text is here).
 */
public final class IsolatedJobException extends Exception {

    public IsolatedJobException(String message) {
        super(message);
    }
}
