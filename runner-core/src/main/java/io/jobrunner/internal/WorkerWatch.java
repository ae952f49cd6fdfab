package io.jobrunner.internal;

import io.jobrunner.JobRequest;
import io.jobrunner.JobWorker;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For runners whose jobs wait for registered workers ({@code database}, {@code sqs}): after a
 * dispatch, logs one warning per job type that no live worker takes, naming {@code jobrunner
 * worker}, so a job does not sit queued in silence. Reads the registry at most every
 * {@link #REFRESH}; a type warned about is warned about again only after a worker took it.
 * Never fails a dispatch. Thread-safe.
 */
public final class WorkerWatch {

    static final Duration REFRESH = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(WorkerWatch.class);

    private final JobRequestStore store;
    private final String runner;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile List<JobWorker> workers = List.of();
    private volatile long readAt;
    private volatile boolean read;

    public WorkerWatch(JobRequestStore store, String runner) {
        this.store = store;
        this.runner = runner;
    }

    /** Checks the types of the requests a dispatch created against the live workers. */
    public void dispatched(List<InsertResult> stored) {
        List<JobRequest> requests = stored.stream().filter(InsertResult::created).map(InsertResult::request).toList();
        if (requests.isEmpty()) {
            return;
        }
        List<JobWorker> live;
        try {
            live = liveWorkers();
        } catch (RuntimeException e) {
            log.debug("The worker registry could not be read; no check this time", e);
            return;
        }
        for (JobRequest request : requests) {
            boolean taken = live.stream().anyMatch(worker -> worker.takes(request.jobType(), request.queueName(),
                    runner, request.handOffTarget()));
            if (taken) {
                warned.remove(request.jobType());
            } else if (warned.add(request.jobType())) {
                log.warn("No live worker takes job type '{}'{} of the {} runner: job request {} waits, queued, until"
                                + " one does. Start one with 'jobrunner worker' (or a worker main of your own);"
                                + " 'jobrunner workers' lists those registered", request.jobType(),
                        request.queueName() == null ? "" : " in queue '" + request.queueName() + "'", runner,
                        request.id());
            }
        }
    }

    private List<JobWorker> liveWorkers() {
        long now = System.nanoTime();
        if (!read || now - readAt >= REFRESH.toNanos()) {
            workers = store.workers().stream().filter(JobWorker::live).toList();
            readAt = now;
            read = true;
        }
        return workers;
    }
}
