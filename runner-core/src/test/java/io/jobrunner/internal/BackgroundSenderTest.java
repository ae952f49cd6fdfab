package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.store.EmbeddedJobRequestStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackgroundSenderTest {

    private JobRequestStore store;
    private final List<List<Long>> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void openStore() {
        store = EmbeddedJobRequestStore.inMemory();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private List<JobRequest> stored(int count) {
        return store.insertAll(IntStream.range(0, count).mapToObj(i -> new NewJobRequest("report", null, "{}", null, null, 3,
                "sqs", "queue-a", false)).toList()).stream().map(inserted -> inserted.request()).toList();
    }

    private static List<Long> ids(List<JobRequest> requests) {
        return requests.stream().map(JobRequest::id).toList();
    }

    @Test
    void whatWaitsGoesInBatchesOfTenInOrderAndALoneJobAfterAQuietSpellGoesAlone() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<JobRequest> jobs = stored(26);
        try (BackgroundSender sender = new BackgroundSender("test", batch -> {
            sent.add(ids(batch));
            sending.countDown();
            await(release);  // the first send is slow: the rest queue up behind it
        })) {
            sender.enqueue(jobs.subList(0, 1));
            assertThat(sending.await(10, TimeUnit.SECONDS)).as("the first job was sent").isTrue();
            sender.enqueue(jobs.subList(1, 25));
            release.countDown();
            until("every job was sent", Duration.ofSeconds(10), () -> sent.stream().mapToInt(List::size).sum() == 25);

            assertThat(sent).containsExactly(ids(jobs.subList(0, 1)), ids(jobs.subList(1, 11)), ids(jobs.subList(11, 21)),
                    ids(jobs.subList(21, 25)));

            Thread.sleep(50);  // a quiet spell
            sender.enqueue(jobs.subList(25, 26));
            until("the lone job was sent", Duration.ofSeconds(10), () -> sent.size() == 5);
            assertThat(sent.get(4)).containsExactly(jobs.get(25).id());
        }
    }

    @Test
    void closeSendsWhatIsStillWaiting() {
        List<JobRequest> jobs = stored(15);
        BackgroundSender sender = new BackgroundSender("test", batch -> sent.add(ids(batch)));
        sender.enqueue(jobs);

        sender.close();

        assertThat(sent.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(ids(jobs));
    }

    @Test
    void aFailedSendIsLoggedAndTheSenderGoesOnWithTheNextJobs() {
        List<JobRequest> jobs = stored(2);
        try (BackgroundSender sender = new BackgroundSender("test", batch -> {
            sent.add(ids(batch));
            if (sent.size() == 1) {
                throw new IllegalStateException("queue unreachable");
            }
        })) {
            sender.enqueue(jobs.subList(0, 1));
            until("the first send was tried", Duration.ofSeconds(10), () -> sent.size() == 1);
            sender.enqueue(jobs.subList(1, 2));
            until("the next job was sent", Duration.ofSeconds(10), () -> sent.size() == 2);
        }
        assertThat(sent.get(1)).containsExactly(jobs.get(1).id());
    }

    private static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
