package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.Transport;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.EmbeddedJobRequestStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HandOffSweepTest {

    private JobRequestStore store;

    @BeforeEach
    void openStore() {
        store = EmbeddedJobRequestStore.inMemory();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aTransportThatAlwaysFailsCostsOneBatchPerPassAndThenBacksOff() {
        store.insertAll(IntStream.range(0, 250).mapToObj(i -> new NewJobRequest("report", null, "{}", null, null, 3,
                "sqs", "queue-a", false)).toList());
        RefusingTransport refusing = new RefusingTransport();
        HandOffSweep sweep = new HandOffSweep(store, refusing, new Retention(null, null));

        HandOffSweep.Counts first = assertTimeoutPreemptively(Duration.ofSeconds(10), sweep::sweep,
                "a pass against a transport that always fails must return");
        assertThat(first.handedOff()).isZero();
        assertThat(refusing.calls.get()).as("sends in the first pass").isEqualTo(1);
        assertThat(refusing.jobsOffered.get()).isEqualTo(100);

        sweep.sweep();
        assertThat(refusing.calls.get()).as("the next pass backs off instead of sending again").isEqualTo(1);

        List<JobRequest> all = store.list(JobQuery.all().limit(500));
        assertThat(all).hasSize(250).allSatisfy(request -> {
            assertThat(request.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(request.handedOffAt()).as("nothing counts as handed off").isNull();
        });
    }

    @Test
    void whenSendsGoThroughEveryDueJobIsHandedOffInOnePass() {
        store.insertAll(IntStream.range(0, 250).mapToObj(i -> new NewJobRequest("report", null, "{}", null, null, 3,
                "sqs", "queue-a", false)).toList());
        RefusingTransport accepting = new RefusingTransport();
        accepting.refuse = false;

        assertThat(new HandOffSweep(store, accepting, new Retention(null, null)).sweep().handedOff()).isEqualTo(250);
        assertThat(accepting.calls.get()).isEqualTo(3);
    }

    /** A transport whose every send fails, as with access denied or a deleted queue; or that accepts all. */
    private static final class RefusingTransport implements Transport {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger jobsOffered = new AtomicInteger();
        volatile boolean refuse = true;

        @Override
        public String runnerName() {
            return "sqs";
        }

        @Override
        public String target() {
            return "queue-a";
        }

        @Override
        public long maxTaskBytes() {
            return 1024;
        }

        @Override
        public String maxTaskBytesLimit() {
            return "a test limit";
        }

        @Override
        public boolean sendsNow(Instant runAt, Instant now) {
            return true;
        }

        @Override
        public Duration sweepLookAhead() {
            return Duration.ZERO;
        }

        @Override
        public Duration handOffStaleAfter() {
            return Duration.ofMinutes(30);
        }

        @Override
        public boolean requeuesAbandoned() {
            return false;
        }

        @Override
        public List<Failure> sendTasks(List<String> envelopes, String traceParent) {
            throw new UnsupportedOperationException("no tasks in this test");
        }

        @Override
        public List<Failure> sendJobs(List<JobRequest> jobs, Instant now) {
            calls.incrementAndGet();
            jobsOffered.addAndGet(jobs.size());
            List<Failure> failures = new ArrayList<>();
            if (refuse) {
                for (int i = 0; i < jobs.size(); i++) {
                    failures.add(new Failure(i, "AccessDenied: not authorized to send to queue-a", null));
                }
            }
            return failures;
        }

        @Override
        public void close() {
        }
    }
}
