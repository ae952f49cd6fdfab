package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.ScheduleFiring;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTest {


    @TempDir
    Path directory;

    private static NewJobRequest job(String dedupKey) {
        return new NewJobRequest("report", null, "{\"day\":\"2026-11-23\"}", dedupKey, null, 3, "inprocess-async");
    }

    @Test
    void requestsSurviveAReopenWithTheirLastState() {
        long succeededId;
        long queuedId;
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            JobRequest running = store.claim(store.insert(job("k1")).request().id(), "w", Duration.ofMinutes(1)).orElseThrow();
            store.succeed(Lease.of(running).orElseThrow(), "{\"rows\":7}", "done").orElseThrow();
            succeededId = running.id();
            queuedId = store.insert(job(null)).request().id();
        }

        try (JdbiJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
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
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            store.saveSchedule(new ScheduledJob("kept", "every 1 hour", "UTC", "report", null, "{}", 2, true,
                    RecurringJob.MissedRuns.SKIP, next, null, null));
            store.saveSchedule(new ScheduledJob("dropped", "every 1 hour", "UTC", "report", null, "{}", null, false,
                    RecurringJob.MissedRuns.RUN_ONCE, next, null, null));
            ScheduleFiring fired = store.fireSchedule("kept", next, next.plusSeconds(3600), next,
                    new NewJobRequest("report", null, "{}", "schedule:kept@" + next, null, 2, "test"));
            id = fired.request().id();
            store.claim(id, "worker-a", Duration.ofMinutes(1)).orElseThrow();
            store.fail(new Lease(id, "worker-a", 1), "boom").orElseThrow();
            store.deleteSchedule("dropped");
        }
        try (JdbiJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
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
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThatThrownBy(() -> store.insert((java.sql.Connection) null,
                    new NewJobRequest("report", null, "{}", null, null, 1, "test")))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining("cannot be dispatched inside your transaction")
                    .hasMessageContaining("DATABASE_URL");
            assertThat(store.list(JobQuery.all())).isEmpty();
        }
    }

    @Test
    void purgedRequestsStayPurgedAndTheirIdsAreNeverUsedAgain() throws Exception {
        long id;
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            id = store.insert(job("gone")).request().id();
            store.cancel(id).orElseThrow();
            Thread.sleep(30);
            assertThat(store.purgeFinished(Duration.ofMillis(10))).isEqualTo(1);
        }
        try (JdbiJobRequestStore reopened = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThat(reopened.find(id)).isEmpty();
            JobRequest again = reopened.insert(job("gone")).request();
            assertThat(again.id()).as("a stale message naming the purged id must never find another job").isGreaterThan(id);
        }
    }

    @Test
    void twoStoresOnOneDirectoryShareTheRequestsAndClaimEachOnce() throws Exception {
        try (JdbiJobRequestStore first = EmbeddedJobRequestStore.openDirectory(directory);
             JdbiJobRequestStore second = EmbeddedJobRequestStore.openDirectory(directory)) {
            int total = 300;
            for (int i = 0; i < total; i++) {
                first.insert(job(null));
            }
            assertThat(second.list(JobQuery.all().limit(1000))).hasSize(total);
            ConcurrentLinkedQueue<Long> claimed = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> claimers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                JdbiJobRequestStore store = t % 2 == 0 ? first : second;
                String owner = "claimer-" + t;
                claimers.add(pool.submit(() -> {
                    List<JobRequest> batch;
                    do {
                        batch = store.claimNext(ClaimFilter.any(), owner, Duration.ofMinutes(5), 7);
                        batch.forEach(request -> claimed.add(request.id()));
                    } while (!batch.isEmpty());
                    return null;
                }));
            }
            for (Future<?> claimer : claimers) {
                claimer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(claimed).hasSize(total);
            assertThat(new HashSet<>(claimed)).hasSize(total);
        }
    }

    @Test
    void aTruncatedFileIsRefusedNamingItAndTheWayOut() throws Exception {
        Path file = fileWithRequests(200);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.setLength(raw.length() / 2);
        }
        assertRefused(file);
    }

    @Test
    void aFileWithAPageOverwrittenIsRefused() throws Exception {
        Path file = fileWithRequests(200);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            long pages = raw.length() / 4096;
            raw.seek((pages / 2) * 4096);
            byte[] garbage = new byte[4096];
            new java.util.Random(7).nextBytes(garbage);
            raw.write(garbage);
        }
        assertRefused(file);
    }

    @Test
    void aFileThatIsNoDatabaseIsRefused() throws Exception {
        Path file = fileWithRequests(5);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.write("this is no database header".getBytes(StandardCharsets.UTF_8));
        }
        assertRefused(file);
    }

    @Test
    void aRowWhoseBytesWereOverwrittenOpensAndIsThenNamedWithTheWayOut() throws Exception {
        long damagedId;
        long healthyId;
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            healthyId = store.insert(job(null)).request().id();
            damagedId = store.claim(store.insert(job(null)).request().id(), "w", Duration.ofMinutes(1)).orElseThrow().id();
            store.fail(new Lease(damagedId, "w", 1), "boom").orElseThrow();
            assertThat(store.check().ok()).as("a healthy store checks clean").isTrue();
        }
        Path file = directory.resolve(EmbeddedJobRequestStore.FILE_NAME);
        assertThat(overwrite(file, "\"outcome\":\"failed\"", "\"outcome\":\"fXiled\"")).isPositive();

        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            assertThat(store.find(healthyId)).as("the rest of the file reads").isPresent();
            assertThatThrownBy(() -> store.list(JobQuery.all()))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("job_request row " + damagedId + " cannot be read")
                    .hasMessageContaining("DELETE FROM job_request WHERE id = " + damagedId)
                    .hasMessageContaining("jobrunner check")
                    .hasMessageContaining("sqlite3 " + file + " .recover")
                    .hasMessageNotContaining("mapping result set");

            var check = store.check();
            assertThat(check.ok()).isFalse();
            assertThat(check.checked()).anySatisfy(line -> assertThat(line).contains("integrity_check"))
                    .anySatisfy(line -> assertThat(line).startsWith("2 job requests read whole"));
            assertThat(check.problems()).hasSize(2);
            assertThat(check.problems().get(0)).contains("job_request row " + damagedId + " cannot be read")
                    .contains("fXiled");
            assertThat(check.problems().get(1)).contains(".recover");
        }
    }

    @Test
    void integrityCheckFindsAnIndexThatNoLongerMatchesItsRows() throws Exception {
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            store.insert(new NewJobRequest("nightly-report", null, "{}", null, null, 3, "test"));
        }
        Path file = directory.resolve(EmbeddedJobRequestStore.FILE_NAME);
        // the type is in the row and in the (job_type, status) index: change the row's copy only
        byte[] bytes = Files.readAllBytes(file);
        int first = indexOf(bytes, "nightly-report".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(first).as("the type is written in the file").isNotNegative();
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(first);
            raw.write("nightly-repoRT".getBytes(StandardCharsets.UTF_8));
        }

        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            var check = store.check();
            assertThat(check.ok()).as("quick_check at open passed; integrity_check compares the index").isFalse();
            assertThat(check.problems()).anySatisfy(line -> assertThat(line).startsWith("integrity_check: "))
                    .anySatisfy(line -> assertThat(line).contains(".recover"));
        }
    }

    /** Replaces every occurrence of {@code from} in the file with {@code to} (same length); returns how many. */
    private static int overwrite(Path file, String from, String to) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        byte[] find = from.getBytes(StandardCharsets.UTF_8);
        byte[] replacement = to.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        for (int at = indexOf(bytes, find, 0); at >= 0; at = indexOf(bytes, find, at + 1)) {
            System.arraycopy(replacement, 0, bytes, at, replacement.length);
            count++;
        }
        Files.write(file, bytes);
        return count;
    }

    private static int indexOf(byte[] bytes, byte[] find, int from) {
        outer:
        for (int i = from; i <= bytes.length - find.length; i++) {
            for (int j = 0; j < find.length; j++) {
                if (bytes[i + j] != find[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private Path fileWithRequests(int count) {
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            for (int i = 0; i < count; i++) {
                store.insert(new NewJobRequest("report", null, "{\"text\":\"" + "x".repeat(200) + i + "\"}", null, null,
                        1, "test"));
            }
        }
        Path file = directory.resolve(EmbeddedJobRequestStore.FILE_NAME);
        assertThat(file).exists();
        assertThat(directory.resolve(EmbeddedJobRequestStore.FILE_NAME + "-wal")).as("checkpointed at close")
                .satisfiesAnyOf(wal -> assertThat(wal).doesNotExist(), wal -> assertThat(Files.size(wal)).isZero());
        return file;
    }

    private void assertRefused(Path file) throws Exception {
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> EmbeddedJobRequestStore.openDirectory(directory))
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is damaged")
                .hasMessageContaining(".recover")
                .hasMessageContaining("mv " + file);
        assertThat(Files.readAllBytes(file)).as("the damaged file is left as it was").isEqualTo(before);
    }

}
