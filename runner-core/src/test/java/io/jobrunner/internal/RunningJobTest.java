package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.EmbeddedJobRequestStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunningJobTest {

    private static final Duration LEASE = Duration.ofMinutes(1);

    @Test
    void aJobThatLogsALotKeepsOnlyWhatTheStoreKeepsAndSaysHowManyLinesItDropped() {
        try (JobRequestStore store = EmbeddedJobRequestStore.inMemory()) {
            RunningJob running = running(store);
            for (int i = 1; i <= 1_000; i++) {
                running.log("line " + i);
            }
            assertThat(running.unwrittenLines()).isEqualTo(RunningJob.MAX_UNWRITTEN);

            running.writeLog();

            JobLog log = store.log(running.request().id());
            assertThat(log.lines()).hasSize(JobLog.MAX_LINES);
            assertThat(log.lines().get(0).level()).isEqualTo(JobLogLine.Level.WARN);
            assertThat(log.lines().get(0).message()).isEqualTo("801 earlier lines of this attempt were dropped before "
                    + "they could be stored");
            assertThat(log.lines().get(1).message()).isEqualTo("line 802");
            assertThat(log.lines().get(JobLog.MAX_LINES - 1).message()).isEqualTo("line 1000");
        }
    }

    @Test
    void whileTheStoreIsDownTheLinesWaitingStayBounded() {
        JobRequestStore store = EmbeddedJobRequestStore.inMemory();
        RunningJob running = running(store);
        store.close();  // the store is down: every write fails
        for (int i = 1; i <= 5_000; i++) {
            running.log("line " + i);
            if (i % 100 == 0) {
                running.writeLog();
            }
        }
        assertThat(running.unwrittenLines()).isEqualTo(RunningJob.MAX_UNWRITTEN);
    }

    private static RunningJob running(JobRequestStore store) {
        JobRequest inserted = store.insert(new NewJobRequest("report", null, "{}", null, null, 1, "test")).request();
        JobRequest claimed = store.claim(inserted.id(), "worker-a", LEASE).orElseThrow();
        return new RunningJob(claimed, Lease.of(claimed).orElseThrow(), store, null, LEASE);
    }
}
