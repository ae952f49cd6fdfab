package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobLimit;
import io.jobrunner.JobRequest;
import io.jobrunner.RateLimit;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.NewJobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every store must do with rate limits, whoever claims: no more starts of a type (of a key) in
 * any window than its limit, the next start visible while it is reached, and starts taken again as
 * the window moves on. Mixed into {@link JobRequestStoreContractTest}.
 */
interface RateLimitStoreContract {

    Duration RATE_LEASE = Duration.ofMinutes(5);

    JobRequestStore store();

    private JobRequest queued(String type, String key) {
        return store().insert(new NewJobRequest(type, null, "null", null, null, 1, "r").withConcurrencyKey(key)).request();
    }

    private static JobLimit rate(String type, RateLimit perType, RateLimit perKey) {
        return new JobLimit(type, 0, 0, 0, perType, perKey, 0, null);
    }

    @Test
    default void aRateLimitStartsNoMoreThanItsLimitInAWindowWhoeverClaimsAndMoreOnceTheWindowMoved() throws Exception {
        Duration window = Duration.ofSeconds(2);
        store().defineLimits(List.of(rate("rated", new RateLimit(3, window), null)));
        List<JobRequest> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(queued("rated", null));
        }
        JobRequest other = queued("other", null);
        Instant before = Instant.now();
        List<JobRequest> first = store().claimNext(ClaimFilter.any(), "w", RATE_LEASE, 10);
        assertThat(first).extracting(JobRequest::id).as("three of the rated type, in claim order, and the other")
                .containsExactly(jobs.get(0).id(), jobs.get(1).id(), jobs.get(2).id(), other.id());
        assertThat(store().claim(jobs.get(3).id(), "w", RATE_LEASE)).isEmpty();
        assertThat(store().claimQueued(List.of(jobs.get(3).id()), ClaimFilter.any(), "w", RATE_LEASE)).isEmpty();
        assertThat(store().claimNext(ClaimFilter.any(), "w", RATE_LEASE, 10)).isEmpty();
        JobLimit limit = store().limits().get(0);
        assertThat(limit.rateLimit()).isEqualTo(new RateLimit(3, window));
        assertThat(limit.startedInWindow()).isEqualTo(3);
        assertThat(limit.nextStartAt()).as("the first start's window ends").isNotNull()
                .isAfterOrEqualTo(before.plus(window).minusMillis(50)).isBefore(Instant.now().plus(window).plusMillis(50));

        Thread.sleep(Duration.between(Instant.now(), limit.nextStartAt()).toMillis() + 50);
        List<JobRequest> second = store().claimNext(ClaimFilter.any(), "w", RATE_LEASE, 10);
        assertThat(second).extracting(JobRequest::id).containsExactly(jobs.get(3).id(), jobs.get(4).id(), jobs.get(5).id());
        assertThat(store().limits().get(0).nextStartAt()).isAfter(Instant.now());
    }

    @Test
    default void aRateLimitPerKeyCountsEachKeyOnItsOwn() {
        store().defineLimits(List.of(rate("per-key-rated", null, new RateLimit(1, Duration.ofMinutes(1)))));
        JobRequest a1 = queued("per-key-rated", "a");
        JobRequest a2 = queued("per-key-rated", "a");
        JobRequest b1 = queued("per-key-rated", "b");
        JobRequest none = queued("per-key-rated", null);
        assertThat(store().claimNext(ClaimFilter.any(), "w", RATE_LEASE, 10)).extracting(JobRequest::id)
                .containsExactly(a1.id(), b1.id(), none.id());
        assertThat(store().claim(a2.id(), "w", RATE_LEASE)).isEmpty();
        assertThat(store().limits().get(0).rateLimitPerKey()).isEqualTo(new RateLimit(1, Duration.ofMinutes(1)));
    }

    /** The count is exact under contention: eight threads claiming together start no more than the limit. */
    @Test
    default void claimersTogetherStartNoMoreThanTheLimitInAWindow() throws Exception {
        store().defineLimits(List.of(rate("contended-rate", new RateLimit(10, Duration.ofMinutes(1)), null)));
        for (int i = 0; i < 60; i++) {
            queued("contended-rate", null);
        }
        Set<Long> claimed = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        store().claimNext(ClaimFilter.any(), "w" + Thread.currentThread().getId(), RATE_LEASE, 3)
                                .forEach(request -> assertThat(claimed.add(request.id())).isTrue());
                    }
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(claimed).hasSize(10);
    }
}
