package io.jobrunner.benchmarks;

import io.jobrunner.inprocess.DatabaseWorkerMain;
import io.jobrunner.local.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Database worker processes for a benchmark's set-up: started, awaited until each takes jobs, stopped. */
final class WorkerProcesses implements AutoCloseable {

    private final List<ChildJvm> workers = new ArrayList<>();

    /** Starts {@code count} workers with the environment given (heap {@code -Xmx512m}) and waits until each takes jobs. */
    WorkerProcesses(Map<String, String> settings, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            workers.add(ChildJvm.start(DatabaseWorkerMain.class.getName(), settings, List.of("-Xmx512m")));
        }
        for (ChildJvm child : workers) {
            while (!child.output().contains("takes job types")) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("A worker process died:\n" + child.output());
                }
                Thread.sleep(20);
            }
        }
    }

    boolean isEmpty() {
        return workers.isEmpty();
    }

    /** Stops each worker as SIGTERM does, waiting up to 30 s. */
    @Override
    public void close() throws InterruptedException {
        for (ChildJvm child : workers) {
            child.terminate(30);
            child.close();
        }
    }
}
