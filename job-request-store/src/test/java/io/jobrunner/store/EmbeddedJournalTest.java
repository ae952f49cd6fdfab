package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.NewJobRequest;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduleFiring;
import io.jobrunner.ScheduledJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedJournalTest {

    @TempDir
    Path directory;

    private static NewJobRequest job(String dedupKey) {
        return new NewJobRequest("report", null, "{\"day\":\"2026-11-23\"}", dedupKey, null, 3, "inprocess-async");
    }

    @Test
    void requestsSurviveAReopenWithTheirLastState() {
        long succeededId;
        long queuedId;
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            JobRequest running = store.claim(store.insert(job("k1")).request().id(), "w", Duration.ofMinutes(1)).orElseThrow();
            store.succeed(running.lease().orElseThrow(), "{\"rows\":7}", "done").orElseThrow();
            succeededId = running.id();
            queuedId = store.insert(job(null)).request().id();
        }

        try (EmbeddedJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
            JobRequest succeeded = reopened.find(succeededId).orElseThrow();
            assertThat(succeeded.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(succeeded.resultJson()).isEqualTo("{\"rows\":7}");
            assertThat(reopened.find(queuedId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
            assertThat(reopened.insert(job("k1")).created()).isFalse();
            assertThat(reopened.insert(job(null)).request().id()).isGreaterThan(queuedId);
        }
    }

    @Test
    void schedulesAndAttemptHistoriesSurviveAReopenAndRemovedSchedulesStayRemoved() {
        Instant next = Instant.parse("2030-01-01T00:00:00Z");
        long id;
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            store.saveSchedule(new ScheduledJob("kept", "every 1 hour", "UTC", "report", null, "{}", 2, true,
                    RecurringJob.MissedRuns.SKIP, next, null, null));
            store.saveSchedule(new ScheduledJob("dropped", "every 1 hour", "UTC", "report", null, "{}", null, false,
                    RecurringJob.MissedRuns.RUN_ONCE, next, null, null));
            ScheduleFiring fired = store.fireSchedule("kept", next, next.plusSeconds(3600), next,
                    new NewJobRequest("report", null, "{}", "schedule:kept@" + next, null, 2, "test"));
            id = fired.request().id();
            store.claim(id, "worker-a", Duration.ofMinutes(1)).orElseThrow();
            store.fail(new io.jobrunner.Lease(id, "worker-a", 1), "boom").orElseThrow();
            store.deleteSchedule("dropped");
        }
        try (EmbeddedJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThat(reopened.listSchedules()).extracting(ScheduledJob::name).containsExactly("kept");
            ScheduledJob kept = reopened.findSchedule("kept").orElseThrow();
            assertThat(kept.nextRunAt()).isEqualTo(next.plusSeconds(3600));
            assertThat(kept.lastJobId()).isEqualTo(id);
            assertThat(kept.missedRuns()).isEqualTo(RecurringJob.MissedRuns.SKIP);
            assertThat(kept.maxAttempts()).isEqualTo(2);
            assertThat(reopened.find(id).orElseThrow().history()).singleElement().satisfies(attempt -> {
                assertThat(attempt.outcome()).isEqualTo(JobAttempt.Outcome.FAILED);
                assertThat(attempt.error()).isEqualTo("boom");
                assertThat(attempt.worker()).isEqualTo("worker-a");
            });
        }
    }

    @Test
    void theEmbeddedStoreRefusesToJoinACallersTransactionNamingTheFix() {
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThatThrownBy(() -> store.insert((java.sql.Connection) null,
                    new NewJobRequest("report", null, "{}", null, null, 1, "test")))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining("cannot be dispatched inside your transaction")
                    .hasMessageContaining("DATABASE_URL");
            assertThat(store.list(io.jobrunner.JobQuery.all())).isEmpty();
        }
    }

    @Test
    void purgedRequestsStayPurgedAfterAReopen() throws Exception {
        long id;
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            id = store.insert(job("gone")).request().id();
            store.cancel(id).orElseThrow();
            Thread.sleep(30);
            assertThat(store.purgeFinished(Duration.ofMillis(10))).isEqualTo(1);
        }
        try (EmbeddedJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThat(reopened.find(id)).isEmpty();
            assertThat(reopened.insert(job("gone")).created()).isTrue();
        }
    }

    @Test
    void aTornLastLineFromACrashIsSkipped() throws Exception {
        long id;
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            id = store.insert(job(null)).request().id();
        }
        Files.writeString(directory.resolve(StoreJournal.FILE_NAME), "{\"id\":99,\"jobTy", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (EmbeddedJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThat(reopened.find(id)).isPresent();
            assertThat(reopened.find(99)).isEmpty();
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedWithTheFix() {
        try (EmbeddedJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThatThrownBy(() -> EmbeddedJobRequestStore.openDirectory(directory))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining(directory.toAbsolutePath().toString())
                    .hasMessageContaining("in use")
                    .hasMessageContaining("DATABASE_URL");
            assertThat(store.insert(job(null)).created()).isTrue();
        }
    }
}
