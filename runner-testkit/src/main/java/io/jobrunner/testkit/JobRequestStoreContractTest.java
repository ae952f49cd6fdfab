package io.jobrunner.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobAttempt;
import io.jobrunner.JobLog;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobWorker;
import io.jobrunner.JobThroughput;
import io.jobrunner.spi.store.ClaimFilter;
import io.jobrunner.spi.store.InsertResult;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.spi.store.Lease;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.spi.store.Success;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobRequestStore} must do. Subclass it once per store and return a store with
 * no requests from {@link #openEmptyStore()}.
 */
public abstract class JobRequestStoreContractTest implements ScheduleStoreContract, OrchestrationStoreContract,
        WorkflowStoreContract, RateLimitStoreContract {

    protected static final Duration LEASE = Duration.ofMinutes(5);
    protected JobRequestStore store;

    /** A store holding no requests; closed after each test. */
    protected abstract JobRequestStore openEmptyStore();

    @Override
    public JobRequestStore store() {
        return store;
    }

    @BeforeEach
    void openStore() {
        store = openEmptyStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static NewJobRequest job(String type) {
        return new NewJobRequest(type, null, "{\"n\":1}", null, null, 3, "test");
    }

    private JobRequest queued(String type) {
        return store.insert(job(type)).request();
    }

    private JobRequest claimed(String type) {
        JobRequest request = queued(type);
        return store.claim(request.id(), "worker-a", LEASE).orElseThrow();
    }

    /** The text every store records when a lease expires mid-run: the same in every dialect. */
    protected static String abandonedError(int attempt, int maxAttempts, String worker) {
        return "Abandoned: the lease of attempt " + attempt + " of " + maxAttempts + " held by " + worker
                + " expired; the worker died, stopped or timed out mid-run";
    }

    /** Waits, by the store's own record, until the request's lease has expired. */
    private void awaitLeaseExpired(long id) {
        Await.until("the lease of job request " + id + " expired", Duration.ofSeconds(10), () -> {
            Instant until = store.find(id).orElseThrow().lockedUntil();
            return until != null && until.isBefore(Instant.now().minusMillis(20));
        });
    }

    /** Waits until the clock has passed {@code instant} by a margin. */
    private static void awaitPassed(String what, Instant instant) {
        Await.until(what, Duration.ofSeconds(10), () -> Instant.now().isAfter(instant.plusMillis(20)));
    }

    private static void assertLastAttempt(JobRequest request, int attempt, String worker, JobAttempt.Outcome outcome,
                                          String error) {
        assertThat(request.history()).isNotEmpty();
        JobAttempt last = request.history().get(request.history().size() - 1);
        assertThat(last.attempt()).as("attempt number").isEqualTo(attempt);
        assertThat(last.worker()).as("worker").isEqualTo(worker);
        assertThat(last.outcome()).as("outcome").isEqualTo(outcome);
        assertThat(last.error()).as("error").isEqualTo(error);
        assertThat(last.startedAt()).as("started").isNotNull();
        assertThat(last.finishedAt()).as("finished").isAfterOrEqualTo(last.startedAt());
    }

    @Test
    void succeedAllRecordsEachAttemptWhoseLeaseIsHeldAndNoOther() {
        JobRequest a = claimed("a");
        JobRequest b = claimed("a");
        JobRequest c = claimed("a");
        Lease stale = new Lease(b.id(), "worker-b", b.attempts());

        List<Optional<JobRequest>> results = store.succeedAll(List.of(
                new Success(Lease.of(a).orElseThrow(), "{\"n\":1}", "done a"),
                new Success(stale, "2", null),
                new Success(Lease.of(c).orElseThrow(), null, null)));

        assertThat(results).hasSize(3);
        JobRequest first = results.get(0).orElseThrow();
        assertThat(first.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(first.resultJson()).isEqualToIgnoringWhitespace("{\"n\":1}");
        assertThat(first.resultMessage()).isEqualTo("done a");
        assertThat(first.lockedUntil()).isNull();
        assertThat(first.finishedAt()).isNotNull();
        assertLastAttempt(first, 1, "worker-a", JobAttempt.Outcome.SUCCEEDED, null);
        assertThat(results.get(1)).as("a lease the caller does not hold").isEmpty();
        assertThat(store.find(b.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        JobRequest third = results.get(2).orElseThrow();
        assertThat(third.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(third.resultJson()).isNull();
        assertThat(store.succeedAll(List.of(new Success(Lease.of(a).orElseThrow(), "3", null),
                new Success(Lease.of(c).orElseThrow(), "4", null)))).as("attempts already recorded").containsOnly(Optional.empty());
    }

    @Test
    void insertStoresAQueuedRequestWithEveryField() {
        Instant runAt = Instant.now().plusSeconds(3600);
        InsertResult result = store.insert(new NewJobRequest("email", "mail", "{\"to\":\"a@b.c\"}", "key-1", runAt, 5, "inprocess-sync"));

        assertThat(result.created()).isTrue();
        JobRequest request = result.request();
        assertThat(request.id()).isPositive();
        assertThat(request.jobType()).isEqualTo("email");
        assertThat(request.queueName()).isEqualTo("mail");
        assertThat(request.payloadJson()).isEqualToIgnoringWhitespace("{\"to\":\"a@b.c\"}");
        assertThat(request.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(request.progress()).isZero();
        assertThat(request.attempts()).isZero();
        assertThat(request.maxAttempts()).isEqualTo(5);
        assertThat(request.dedupKey()).isEqualTo("key-1");
        assertThat(Duration.between(runAt, request.runAt()).abs()).isLessThan(Duration.ofMillis(2));
        assertThat(request.runner()).isEqualTo("inprocess-sync");
        assertThat(request.createdAt()).isNotNull();
        assertThat(request.startedAt()).isNull();
        assertThat(request.finishedAt()).isNull();
        assertThat(store.find(request.id())).contains(request);
    }

    @Test
    void insertWithoutRunAtIsDueNow() {
        JobRequest request = queued("a");
        assertThat(request.runAt()).isBeforeOrEqualTo(Instant.now().plusSeconds(1));
        assertThat(store.claim(request.id(), "w", LEASE)).isPresent();
    }

    @Test
    void insertWithAStoredDedupKeyReturnsTheStoredRequest() {
        NewJobRequest first = new NewJobRequest("a", null, "1", "same", null, 3, "test");
        NewJobRequest second = new NewJobRequest("a", null, "2", "same", null, 3, "test");

        InsertResult created = store.insert(first);
        InsertResult again = store.insert(second);

        assertThat(again.created()).isFalse();
        assertThat(again.request().id()).isEqualTo(created.request().id());
        assertThat(again.request().payloadJson()).isEqualTo("1");
        assertThat(store.findByDedupKey("same")).map(JobRequest::id).contains(created.request().id());
        assertThat(store.list(JobQuery.all())).hasSize(1);
    }

    @Test
    void insertAllStoresInOrderWithTheDedupRulesOfOneInsertAlsoWithinTheList() {
        JobRequest stored = store.insert(new NewJobRequest("a", null, "0", "stored", null, 3, "test")).request();
        JobRequest failed = store.insert(new NewJobRequest("a", null, "0", "failed", null, 2, "test")).request();
        store.fail(Lease.of(store.claim(failed.id(), "w", LEASE).orElseThrow()).orElseThrow(), "boom").orElseThrow();

        List<InsertResult> results = store.insertAll(List.of(
                new NewJobRequest("a", "q", "1", null, null, 3, "test"),
                new NewJobRequest("b", null, "2", "fresh", Instant.now().plusSeconds(60), 1, "test"),
                new NewJobRequest("a", null, "3", "stored", null, 3, "test"),
                new NewJobRequest("b", null, "4", "fresh", null, 1, "test"),
                new NewJobRequest("a", null, "5", "failed", null, 2, "test"),
                new NewJobRequest("c", null, "6", null, null, 3, "test").withHandOff("target", true)));

        assertThat(results).extracting(InsertResult::outcome).containsExactly(InsertResult.Outcome.CREATED,
                InsertResult.Outcome.CREATED, InsertResult.Outcome.EXISTING, InsertResult.Outcome.EXISTING,
                InsertResult.Outcome.REQUEUED, InsertResult.Outcome.CREATED);
        assertThat(results.get(0).request().payloadJson()).isEqualTo("1");
        assertThat(results.get(0).request().queueName()).isEqualTo("q");
        assertThat(results.get(1).request().dedupKey()).isEqualTo("fresh");
        assertThat(results.get(1).request().runAt()).isAfter(Instant.now().plusSeconds(30));
        assertThat(results.get(2).request().id()).isEqualTo(stored.id());
        assertThat(results.get(3).request().id()).isEqualTo(results.get(1).request().id());
        assertThat(results.get(3).request().payloadJson()).isEqualTo("2");
        assertThat(results.get(4).request().id()).isEqualTo(failed.id());
        assertThat(results.get(4).request().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(results.get(5).request().handOffTarget()).isEqualTo("target");
        assertThat(results.get(5).request().handedOffAt()).isNotNull();
        assertThat(results.get(0).request().id()).isLessThan(results.get(1).request().id());
        assertThat(results.get(1).request().id()).isLessThan(results.get(5).request().id());
        assertThat(store.list(JobQuery.all().limit(JobQuery.MAX_LIMIT))).hasSize(5);
    }

    @Test
    void insertAllOfMoreThanOneStatementHoldsEveryRequestInOrder() {
        List<NewJobRequest> many = new ArrayList<>();
        for (int i = 0; i < 2_345; i++) {
            many.add(new NewJobRequest("bulk", null, String.valueOf(i), i % 10 == 0 ? "bulk-" + i : null, null, 1, "test"));
        }
        List<InsertResult> results = store.insertAll(many);
        assertThat(results).hasSize(2_345).allSatisfy(result -> assertThat(result.created()).isTrue());
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).request().payloadJson()).isEqualTo(String.valueOf(i));
        }
        assertThat(results).extracting(result -> result.request().id()).isSorted().doesNotHaveDuplicates();
        assertThat(store.counts().of("bulk", JobStatus.QUEUED)).isEqualTo(2_345);
    }

    @Test
    void everyInsertKeepsTheDispatchersTraceParentAndAClaimReturnsIt() {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        JobRequest one = store.insert(job("one").withTraceParent(trace)).request();
        List<InsertResult> many = store.insertAll(List.of(job("many").withTraceParent(trace), job("many")));
        JobRequest running = store.insertClaimed(job("claimed").withTraceParent(trace), "worker-a", LEASE).request();

        assertThat(one.traceParent()).as("one insert, as returned").isEqualTo(trace);
        assertThat(many).extracting(result -> result.request().traceParent()).as("a bulk insert, in order")
                .containsExactly(trace, null);
        assertThat(running.traceParent()).as("stored already claimed").isEqualTo(trace);
        assertThat(store.claim(one.id(), "worker-a", LEASE)).map(JobRequest::traceParent).as("as claimed")
                .contains(trace);
        assertThat(store.find(many.get(0).request().id())).map(JobRequest::traceParent).contains(trace);
        assertThat(store.find(many.get(1).request().id())).map(JobRequest::traceParent).as("nothing traced").isEmpty();
    }

    @Test
    void aFailedOrCancelledRequestIsQueuedAgainByItsDedupKeyWithItsHistoryKept() {
        JobRequest first = store.insert(new NewJobRequest("a", null, "1", "again", null, 2, "test")).request();
        JobRequest running = store.claim(first.id(), "w", LEASE).orElseThrow();
        store.fail(Lease.of(running).orElseThrow(), "boom").orElseThrow();

        InsertResult again = store.insert(new NewJobRequest("a", null, "2", "again", null, 2, "test"));

        assertThat(again.outcome()).isEqualTo(InsertResult.Outcome.REQUEUED);
        assertThat(again.needsHandOff()).isTrue();
        JobRequest requeued = again.request();
        assertThat(requeued.id()).isEqualTo(first.id());
        assertThat(requeued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(requeued.attempts()).isEqualTo(1);
        assertThat(requeued.maxAttempts()).isEqualTo(3);
        assertThat(requeued.lastError()).isEqualTo("boom");
        assertThat(requeued.payloadJson()).isEqualTo("1");
        assertThat(requeued.finishedAt()).isNull();
        assertThat(store.insert(new NewJobRequest("a", null, "3", "again", null, 2, "test")).outcome())
                .isEqualTo(InsertResult.Outcome.EXISTING);
        assertThat(store.claim(first.id(), "w", LEASE).orElseThrow().attempts()).isEqualTo(2);

        JobRequest other = store.insert(new NewJobRequest("a", null, "1", "cancelled-one", null, 2, "test")).request();
        store.cancel(other.id()).orElseThrow();
        assertThat(store.retry(other.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.retry(other.id())).isEmpty();
        assertThat(store.list(JobQuery.all())).hasSize(2);
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        assertThat(store.find(987_654)).isEmpty();
        assertThat(store.findByDedupKey("nope")).isEmpty();
    }

    @Test
    void listFiltersByStatusTypeAndQueueAndPagesInIdOrder() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(store.insert(new NewJobRequest(i % 2 == 0 ? "even" : "odd", i < 3 ? "q1" : "q2", "null", null, null,
                    3, "test")).request().id());
        }
        store.claim(ids.get(0), "w", LEASE).orElseThrow();

        assertThat(store.list(JobQuery.all())).extracting(JobRequest::id).containsExactlyElementsOf(ids);
        assertThat(store.list(JobQuery.all().withStatus(JobStatus.RUNNING))).extracting(JobRequest::id)
                .containsExactly(ids.get(0));
        assertThat(store.list(JobQuery.all().withJobType("odd"))).extracting(JobRequest::id)
                .containsExactly(ids.get(1), ids.get(3), ids.get(5));
        assertThat(store.list(JobQuery.all().withQueue("q1").withStatus(JobStatus.QUEUED))).extracting(JobRequest::id)
                .containsExactly(ids.get(1), ids.get(2));

        List<JobRequest> first = store.list(JobQuery.all().limit(3));
        List<JobRequest> second = store.list(JobQuery.all().limit(3).after(first.get(2).id()));
        List<JobRequest> third = store.list(JobQuery.all().limit(3).after(second.get(2).id()));
        assertThat(first).extracting(JobRequest::id).containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(second).extracting(JobRequest::id).containsExactlyElementsOf(ids.subList(3, 6));
        assertThat(third).extracting(JobRequest::id).containsExactly(ids.get(6));
    }

    @Test
    void listAndCountFilterByWhenRequestsWereCreatedAndFinished() {
        Lease clock = Lease.of(claimed("clock")).orElseThrow();  // its lease tells the database's time
        JobRequest older = queued("a");
        JobRequest finishedEarly = store.succeed(Lease.of(claimed("a")).orElseThrow(), null, null).orElseThrow();
        Instant cut = Await.value("the database's clock passed the early finish", Duration.ofSeconds(10),
                () -> databaseNow(clock), now -> now.isAfter(finishedEarly.finishedAt()));
        JobRequest newer = queued("a");
        JobRequest finishedLate = claimed("b");
        store.fail(Lease.of(finishedLate).orElseThrow(), "boom").orElseThrow();

        assertThat(store.list(JobQuery.all().createdSince(cut))).extracting(JobRequest::id)
                .containsExactly(newer.id(), finishedLate.id());
        assertThat(store.list(JobQuery.all().finishedSince(cut))).extracting(JobRequest::id)
                .containsExactly(finishedLate.id());
        assertThat(store.count(JobQuery.all())).isEqualTo(5);
        assertThat(store.count(JobQuery.all().createdSince(cut))).isEqualTo(2);
        assertThat(store.count(JobQuery.all().withStatus(JobStatus.FAILED).finishedSince(cut))).isEqualTo(1);
        assertThat(store.count(JobQuery.all().withStatus(JobStatus.SUCCEEDED).finishedSince(cut))).isZero();
        assertThat(store.count(JobQuery.all().withJobType("a").withStatus(JobStatus.QUEUED).limit(1).after(older.id())))
                .as("the page is ignored").isEqualTo(2);
    }

    /** The store's clock, read through a lease renewal: the new lease ends {@link #LEASE} after the database's now. */
    private Instant databaseNow(Lease lease) {
        return store.heartbeat(lease, LEASE).orElseThrow().lockedUntil().minus(LEASE);
    }

    @Test
    void logLinesAreKeptInOrderAcrossAttemptsAndTheOldestDroppedBeyondTheLimitAndCounted() {
        JobRequest request = queued("a");
        Instant at = Instant.ofEpochMilli(Instant.now().toEpochMilli());
        store.appendLog(request.id(), List.of(new JobLogLine(at, 1, JobLogLine.Level.INFO, "one"),
                new JobLogLine(at.plusMillis(1), 1, JobLogLine.Level.WARN, "two")), 3);
        store.appendLog(request.id(), List.of(new JobLogLine(at.plusMillis(2), 2, JobLogLine.Level.ERROR, "three"),
                new JobLogLine(at.plusMillis(3), 2, JobLogLine.Level.DEBUG, "four")), 3);

        JobLog log = store.log(request.id());

        assertThat(log.lines()).extracting(JobLogLine::message).containsExactly("two", "three", "four");
        assertThat(log.dropped()).isEqualTo(1);
        assertThat(log.lines().get(0)).isEqualTo(new JobLogLine(at.plusMillis(1), 1, JobLogLine.Level.WARN, "two"));
        assertThat(log.lines().get(1).attempt()).isEqualTo(2);
        assertThat(store.log(987_654)).isEqualTo(JobLog.empty());
        store.appendLog(987_654, List.of(new JobLogLine(at, 1, JobLogLine.Level.INFO, "nobody's")), 3);
        assertThat(store.log(987_654).lines()).as("lines of an unknown request are not kept").isEmpty();
    }

    @Test
    void aBoundedPurgeDeletesTheOldestFinishedRequestsOfTheStatusesGivenAndNothingElse() throws InterruptedException {
        List<Long> succeeded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobRequest running = claimed("a");
            store.succeed(Lease.of(running).orElseThrow(), null, null).orElseThrow();
            succeeded.add(running.id());
            Thread.sleep(5);
        }
        JobRequest failed = claimed("a");
        store.fail(Lease.of(failed).orElseThrow(), "boom").orElseThrow();
        JobRequest queued = queued("a");
        JobRequest running = claimed("a");
        Thread.sleep(5);

        assertThat(store.purgeFinished(Set.of(JobStatus.SUCCEEDED), Duration.ZERO, 2)).isEqualTo(2);
        assertThat(store.find(succeeded.get(0))).as("oldest first").isEmpty();
        assertThat(store.find(succeeded.get(1))).isEmpty();
        assertThat(store.find(succeeded.get(2))).isPresent();
        assertThat(store.purgeFinished(Set.of(JobStatus.SUCCEEDED), Duration.ofHours(1), 10)).as("too recent").isZero();
        assertThat(store.purgeFinished(Set.of(JobStatus.FAILED, JobStatus.CANCELLED), Duration.ZERO, 10)).isEqualTo(1);
        assertThat(store.find(failed.id())).isEmpty();
        assertThat(store.find(queued.id())).isPresent();
        assertThat(store.find(running.id())).isPresent();
    }

    @Test
    void newestFirstListsTheHighestIdsFirstAndPagesOnToSmallerOnes() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(queued("a").id());
        }
        queued("b");
        JobQuery newest = JobQuery.all().withJobType("a").newestFirst().limit(2);

        assertThat(store.list(newest)).extracting(JobRequest::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(store.list(newest.after(ids.get(3)))).extracting(JobRequest::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(store.list(newest.after(ids.get(1)))).extracting(JobRequest::id).containsExactly(ids.get(0));
        assertThat(store.list(newest.after(ids.get(0)))).isEmpty();
        assertThat(store.list(JobQuery.all().withJobType("a").limit(2))).as("oldest first by default")
                .extracting(JobRequest::id).containsExactly(ids.get(0), ids.get(1));
        assertThat(store.count(newest)).isEqualTo(5);
    }

    @Test
    void aRequestStoredClaimedIsRunningUnderItsOwnersLeaseAsAClaimWouldLeaveIt() {
        InsertResult stored = store.insertClaimed(job("a"), "worker-a", LEASE);
        JobRequest running = stored.request();
        assertThat(stored.created()).isTrue();
        assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.attempts()).isEqualTo(1);
        assertThat(running.lockedBy()).isEqualTo("worker-a");
        assertThat(running.lockedUntil()).isAfter(running.createdAt());
        assertThat(running.startedAt()).isNotNull();
        assertThat(running.payloadJson()).isEqualTo(store.find(running.id()).orElseThrow().payloadJson());
        assertThat(store.find(running.id())).get().usingRecursiveComparison().isEqualTo(running);
        assertThat(store.claim(running.id(), "worker-b", LEASE)).as("held: no second claim").isEmpty();
        assertThat(store.claimNext(ClaimFilter.any(), "worker-b", LEASE, 10)).isEmpty();
        JobRequest done = store.succeed(Lease.of(running).orElseThrow(), "7", null).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.history()).singleElement().satisfies(attempt -> assertThat(attempt.worker()).isEqualTo("worker-a"));

        NewJobRequest keyed = new NewJobRequest("a", null, "{}", "key-claimed", null, 3, "test");
        assertThat(store.insertClaimed(keyed, "worker-a", LEASE).request().status()).as("a dedup key: stored queued")
                .isEqualTo(JobStatus.QUEUED);
        NewJobRequest later = new NewJobRequest("a", null, "{}", null, Instant.now().plusSeconds(60), 3, "test");
        assertThat(store.insertClaimed(later, "worker-a", LEASE).request().status()).as("due later: stored queued")
                .isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void workersRegisterRenewAndUnregister() throws InterruptedException {
        assertThat(store.workers()).isEmpty();
        store.registerWorker(JobWorker.registering("db-worker@1@host-a/1", "host-a", "database", null, Set.of("a", "b"),
                Set.of("q1"), 8));
        store.registerWorker(JobWorker.registering("sqs-worker@2@host-b/2", "host-b", "sqs", "https://queue/jobs",
                Set.of("a"), Set.of(), 4));
        List<JobWorker> registered = store.workers();
        assertThat(registered).extracting(JobWorker::id).containsExactly("db-worker@1@host-a/1", "sqs-worker@2@host-b/2");
        JobWorker database = registered.get(0);
        assertThat(database.host()).isEqualTo("host-a");
        assertThat(database.jobTypes()).containsExactlyInAnyOrder("a", "b");
        assertThat(database.queues()).containsExactly("q1");
        assertThat(database.slots()).isEqualTo(8);
        assertThat(database.target()).isNull();
        assertThat(database.live()).isTrue();
        assertThat(registered.get(1).target()).isEqualTo("https://queue/jobs");

        Thread.sleep(20);
        store.registerWorker(JobWorker.registering("db-worker@1@host-a/1", "host-a", "database", null, Set.of("a"),
                Set.of(), 2));
        JobWorker renewed = store.workers().get(0);
        assertThat(renewed.startedAt()).as("kept from the first registration").isEqualTo(database.startedAt());
        assertThat(renewed.lastSeenAt()).isAfter(database.lastSeenAt());
        assertThat(renewed.jobTypes()).containsExactly("a");
        assertThat(renewed.slots()).isEqualTo(2);

        store.unregisterWorker("db-worker@1@host-a/1");
        assertThat(store.workers()).extracting(JobWorker::id).containsExactly("sqs-worker@2@host-b/2");
    }

    @Test
    void previewsCutTheLargeTextsOfAListAndLeaveTheRestWhole() {
        String payload = "{\"text\":\"" + "p".repeat(2_000) + "\"}";
        JobRequest running = store.claim(store.insert(new NewJobRequest("big", null, payload, null, null, 3, "test"))
                .request().id(), "w", Duration.ofMinutes(1)).orElseThrow();
        store.succeed(Lease.of(running).orElseThrow(), "[\"" + "r".repeat(2_000) + "\"]", "m".repeat(900)).orElseThrow();
        JobRequest failed = claimed("big");
        store.fail(Lease.of(failed).orElseThrow(), "e".repeat(900)).orElseThrow();

        List<JobRequest> previews = store.list(JobQuery.all().withJobType("big").previews(40));
        JobRequest whole = store.find(running.id()).orElseThrow();

        assertThat(previews).hasSize(2);
        JobRequest preview = previews.get(0);
        assertThat(preview.payloadJson()).hasSize(40).isEqualTo(whole.payloadJson().substring(0, 40));
        assertThat(preview.resultJson()).hasSize(40).isEqualTo(whole.resultJson().substring(0, 40));
        assertThat(preview.resultMessage()).isEqualTo("m".repeat(40));
        assertThat(previews.get(1).lastError()).isEqualTo("e".repeat(40));
        assertThat(preview).usingRecursiveComparison()
                .ignoringFields("payloadJson", "resultJson", "resultMessage", "lastError").isEqualTo(whole);
        assertThat(whole.payloadJson()).hasSizeGreaterThan(2_000);
        assertThat(store.list(JobQuery.all().withJobType("big")).get(0)).as("without previews, whole")
                .isEqualTo(whole);
    }

    @Test
    void finishedRequestsAreCountedPerMinuteByHowTheyEnded() {
        Instant before = Instant.now().minusSeconds(1);
        for (int i = 0; i < 3; i++) {
            JobRequest running = claimed("a");
            store.succeed(Lease.of(running).orElseThrow(), null, null).orElseThrow();
        }
        JobRequest failed = claimed("b");
        store.fail(Lease.of(failed).orElseThrow(), "boom").orElseThrow();
        JobRequest cancelled = queued("b");
        store.cancel(cancelled.id()).orElseThrow();
        queued("c");
        claimed("c");

        List<JobThroughput> minutes = store.finishedPerMinute(before.truncatedTo(ChronoUnit.MINUTES));

        assertThat(minutes).as("this minute, and the next if the clock turned meanwhile").hasSizeBetween(1, 2);
        assertThat(minutes).allSatisfy(m -> assertThat(m.minute()).isEqualTo(m.minute().truncatedTo(ChronoUnit.MINUTES)));
        assertThat(minutes.stream().mapToLong(JobThroughput::succeeded).sum()).isEqualTo(3);
        assertThat(minutes.stream().mapToLong(JobThroughput::failed).sum()).isEqualTo(1);
        assertThat(minutes.stream().mapToLong(JobThroughput::cancelled).sum()).isEqualTo(1);
        assertThat(store.finishedPerMinute(Instant.now().plusSeconds(120))).as("nothing finished later").isEmpty();
    }

    @Test
    void aPurgedRequestTakesItsLogWithIt() throws InterruptedException {
        JobRequest running = claimed("a");
        store.appendLog(running.id(), List.of(new JobLogLine(Instant.now(), 1, JobLogLine.Level.INFO, "done soon")), 10);
        store.succeed(Lease.of(running).orElseThrow(), null, null).orElseThrow();
        Thread.sleep(5);  // finished strictly before the purge's "now", at the embedded store's millisecond

        assertThat(store.purgeFinished(Duration.ZERO)).isEqualTo(1);

        assertThat(store.log(running.id())).isEqualTo(JobLog.empty());
        JobRequest next = queued("b");
        assertThat(store.log(next.id()).lines()).isEmpty();
    }

    @Test
    void claimMovesAQueuedRequestToRunningUnderALease() {
        JobRequest request = queued("a");

        JobRequest running = store.claim(request.id(), "worker-a", LEASE).orElseThrow();

        assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.attempts()).isEqualTo(1);
        assertThat(running.lockedBy()).isEqualTo("worker-a");
        assertThat(running.lockedUntil()).isAfter(Instant.now().plus(LEASE).minusSeconds(30));
        assertThat(running.startedAt()).isNotNull();
        assertThat(Lease.of(running)).contains(new Lease(request.id(), "worker-a", 1));
    }

    @Test
    void aHeldRequestCannotBeClaimedAgain() {
        JobRequest running = claimed("a");
        assertThat(store.claim(running.id(), "worker-b", LEASE)).isEmpty();
        assertThat(store.claimNext(ClaimFilter.any(), "worker-b", LEASE, 10)).isEmpty();
    }

    @Test
    void aRequestDueLaterIsNotClaimedYet() {
        JobRequest later = store.insert(new NewJobRequest("a", null, "null", null, Instant.now().plusSeconds(3600), 3,
                "test")).request();
        assertThat(store.claim(later.id(), "w", LEASE)).isEmpty();
        assertThat(store.claimNext(ClaimFilter.any(), "w", LEASE, 10)).isEmpty();
    }

    @Test
    void anExpiredLeaseWithAttemptsLeftIsClaimedAgainAndTheOldLeaseLosesItsRights() throws Exception {
        JobRequest request = queued("a");
        JobRequest first = store.claim(request.id(), "worker-a", Duration.ofMillis(50)).orElseThrow();
        awaitLeaseExpired(request.id());

        JobRequest second = store.claim(request.id(), "worker-b", LEASE).orElseThrow();

        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.lockedBy()).isEqualTo("worker-b");
        Lease stale = Lease.of(first).orElseThrow();
        assertThat(store.succeed(stale, null, "late")).isEmpty();
        assertThat(store.heartbeat(stale, LEASE)).isEmpty();
        assertThat(store.progress(stale, 50, "late")).isEmpty();
        assertThat(store.find(request.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aClaimForAHandOffTargetTakesOnlyRequestsHandedOffThere() {
        JobRequest forQ1 = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", true)).request();
        JobRequest untargeted = queued("a");

        assertThat(store.claim(forQ1.id(), "q2", "worker-b", LEASE)).isEmpty();
        assertThat(store.claim(untargeted.id(), "q1", "worker-b", LEASE)).isEmpty();
        assertThat(store.find(forQ1.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        JobRequest claimed = store.claim(forQ1.id(), "q1", "worker-a", LEASE).orElseThrow();
        assertThat(claimed.lockedBy()).isEqualTo("worker-a");
        assertThat(claimed.attempts()).isEqualTo(1);
    }

    @Test
    void claimingSeveralForAHandOffTargetTakesEachClaimableOneOnceAndLeavesTheRest() {
        JobRequest first = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", true)).request();
        JobRequest second = store.insert(new NewJobRequest("b", null, "null", null, null, 3, "sqs", "q1", true)).request();
        JobRequest elsewhere = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q2", true)).request();
        JobRequest later = store.insert(new NewJobRequest("a", null, "null", null,
                Instant.now().plus(Duration.ofHours(1)), 3, "sqs", "q1", true)).request();
        JobRequest held = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", true)).request();
        store.claim(held.id(), "q1", "worker-b", LEASE).orElseThrow();

        List<JobRequest> claimed = store.claimAll(List.of(first.id(), second.id(), first.id(), elsewhere.id(), later.id(),
                held.id(), 987_654_321L), "q1", "worker-a", LEASE);

        assertThat(claimed).extracting(JobRequest::id).containsExactlyInAnyOrder(first.id(), second.id());
        assertThat(claimed).allSatisfy(request -> {
            assertThat(request.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(request.lockedBy()).isEqualTo("worker-a");
            assertThat(request.attempts()).isEqualTo(1);
        });
        assertThat(store.find(elsewhere.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.find(later.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.find(held.id()).orElseThrow().lockedBy()).isEqualTo("worker-b");
        assertThat(store.claimAll(List.of(first.id(), second.id()), "q1", "worker-c", LEASE)).isEmpty();
    }

    @Test
    void anExpiredLeaseWithNoAttemptsLeftIsFailedAsAbandoned() throws Exception {
        JobRequest request = store.insert(new NewJobRequest("a", null, "null", null, null, 1, "test")).request();
        store.claim(request.id(), "worker-a", Duration.ofMillis(50)).orElseThrow();
        awaitLeaseExpired(request.id());

        assertThat(store.claim(request.id(), "worker-b", LEASE)).isEmpty();
        List<JobRequest> abandoned = store.failAbandoned();

        assertThat(abandoned).extracting(JobRequest::id).containsExactly(request.id());
        JobRequest failed = store.find(request.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.lastError()).isEqualTo(abandonedError(1, 1, "worker-a"));
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(failed.history()).hasSize(1);
        assertLastAttempt(failed, 1, "worker-a", JobAttempt.Outcome.ABANDONED, abandonedError(1, 1, "worker-a"));
        assertThat(store.failAbandoned()).isEmpty();
    }

    @Test
    void abandonedRequestsOfARunnerAreRequeuedForAHandOffWithTheirAttemptCounted() throws Exception {
        JobRequest mine = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "lambda-async", "fn", true)).request();
        JobRequest spent = store.insert(new NewJobRequest("a", null, "null", null, null, 1, "lambda-async", "fn", true)).request();
        JobRequest otherTarget = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "lambda-async", "other", true)).request();
        JobRequest healthy = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "lambda-async", "fn", true)).request();
        for (JobRequest request : List.of(mine, spent, otherTarget)) {
            store.claim(request.id(), "dead", Duration.ofMillis(50)).orElseThrow();
        }
        store.claim(healthy.id(), "alive", LEASE).orElseThrow();
        for (JobRequest request : List.of(mine, spent, otherTarget)) {
            awaitLeaseExpired(request.id());
        }

        List<JobRequest> requeued = store.requeueAbandoned("lambda-async", "fn");

        assertThat(requeued).extracting(JobRequest::id).containsExactly(mine.id());
        JobRequest back = store.find(mine.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(back.attempts()).isEqualTo(1);
        assertThat(back.handedOffAt()).isNull();
        assertThat(back.lastError()).isEqualTo(abandonedError(1, 3, "dead"));
        assertThat(back.history()).hasSize(1);
        assertLastAttempt(back, 1, "dead", JobAttempt.Outcome.ABANDONED, abandonedError(1, 3, "dead"));
        assertThat(back.lockedBy()).isNull();
        assertThat(store.find(healthy.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(store.find(spent.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(store.claimHandOffs("lambda-async", "fn", Instant.now().plusSeconds(1), Duration.ofHours(1), 10))
                .extracting(JobRequest::id).containsExactly(mine.id());
    }

    @Test
    void heartbeatExtendsTheLeaseOnlyForItsHolder() {
        JobRequest running = store.claim(queued("a").id(), "worker-a", Duration.ofSeconds(10)).orElseThrow();
        Lease lease = Lease.of(running).orElseThrow();

        JobRequest extended = store.heartbeat(lease, Duration.ofMinutes(10)).orElseThrow();

        assertThat(extended.lockedUntil()).isAfter(running.lockedUntil());
        assertThat(store.heartbeat(new Lease(running.id(), "worker-b", 1), LEASE)).isEmpty();
        assertThat(store.heartbeat(new Lease(running.id(), "worker-a", 2), LEASE)).isEmpty();
    }

    @Test
    void progressIsRecordedWhileRunning() {
        JobRequest running = claimed("a");
        JobRequest updated = store.progress(Lease.of(running).orElseThrow(), 40, "halfway there").orElseThrow();
        assertThat(updated.progress()).isEqualTo(40);
        assertThat(updated.resultMessage()).isEqualTo("halfway there");
        assertThat(store.find(running.id()).orElseThrow().progress()).isEqualTo(40);
    }

    @Test
    void succeedStoresTheResultOnceAndOnlyOnce() {
        JobRequest running = claimed("a");
        Lease lease = Lease.of(running).orElseThrow();

        JobRequest done = store.succeed(lease, "{\"sent\":3}", "all sent").orElseThrow();

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.resultJson()).isEqualToIgnoringWhitespace("{\"sent\":3}");
        assertThat(done.resultMessage()).isEqualTo("all sent");
        assertThat(done.finishedAt()).isNotNull();
        assertThat(done.lockedUntil()).isNull();
        assertThat(done.history()).hasSize(1);
        assertLastAttempt(done, 1, "worker-a", JobAttempt.Outcome.SUCCEEDED, null);
        assertThat(store.succeed(lease, "{}", "again")).isEmpty();
        assertThat(store.fail(lease, "too late")).isEmpty();
        assertThat(store.claim(running.id(), "worker-b", LEASE)).isEmpty();
    }

    @Test
    void failRecordsTheErrorAndTheAttempt() {
        JobRequest running = claimed("a");
        JobRequest failed = store.fail(Lease.of(running).orElseThrow(), "java.io.IOException: boom").orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.lastError()).isEqualTo("java.io.IOException: boom");
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(failed.history()).hasSize(1);
        assertLastAttempt(failed, 1, "worker-a", JobAttempt.Outcome.FAILED, "java.io.IOException: boom");
        JobRequest again = claimed("a");
        assertLastAttempt(store.fail(Lease.of(again).orElseThrow(), JobAttempt.Outcome.TIMED_OUT, "slow").orElseThrow(),
                1, "worker-a", JobAttempt.Outcome.TIMED_OUT, "slow");
    }

    @Test
    void requeueReturnsTheRequestToTheQueueAtItsNewTime() throws Exception {
        JobRequest running = claimed("a");
        Instant runAt = Instant.now().plusMillis(150);
        JobRequest requeued = store.requeue(Lease.of(running).orElseThrow(), runAt, "flaky").orElseThrow();

        assertThat(requeued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(requeued.lastError()).isEqualTo("flaky");
        assertThat(requeued.lockedBy()).isNull();
        assertThat(requeued.runAt()).isEqualTo(runAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(requeued.history()).hasSize(1);
        assertLastAttempt(requeued, 1, "worker-a", JobAttempt.Outcome.FAILED, "flaky");
        assertThat(store.claim(running.id(), "worker-b", LEASE)).isEmpty();
        awaitPassed("the new run-at", runAt);
        JobRequest second = store.claim(running.id(), "worker-b", LEASE).orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.lastError()).isEqualTo("flaky");
    }

    @Test
    void releaseReturnsAnUnstartedClaimToTheQueueWithoutCountingTheAttempt() {
        JobRequest running = claimed("a");
        Lease lease = Lease.of(running).orElseThrow();

        JobRequest released = store.release(lease).orElseThrow();

        assertThat(released.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(released.attempts()).isZero();
        assertThat(released.lockedBy()).isNull();
        assertThat(released.history()).as("a release is not an attempt").isEmpty();
        assertThat(store.release(lease)).isEmpty();
        assertThat(store.claim(running.id(), "worker-b", LEASE).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void cancelOfAQueuedRequestCancelsItAtOnce() {
        JobRequest request = queued("a");
        JobRequest cancelled = store.cancel(request.id()).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.finishedAt()).isNotNull();
        assertThat(store.claim(request.id(), "w", LEASE)).isEmpty();
        assertThat(store.cancel(request.id())).isEmpty();
    }

    @Test
    void cancelOfARunningRequestFlagsItForItsHandler() {
        JobRequest running = claimed("a");
        JobRequest flagged = store.cancel(running.id()).orElseThrow();
        assertThat(flagged.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(flagged.cancelRequested()).isTrue();
        Lease lease = Lease.of(running).orElseThrow();
        assertThat(store.heartbeat(lease, LEASE).orElseThrow().cancelRequested()).isTrue();

        JobRequest cancelled = store.markCancelled(lease, "stopped").orElseThrow();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.resultMessage()).isEqualTo("stopped");
        assertThat(cancelled.history()).hasSize(1);
        assertLastAttempt(cancelled, 1, "worker-a", JobAttempt.Outcome.CANCELLED, null);
    }

    @Test
    void cancelOfAFinishedOrUnknownRequestIsEmpty() {
        JobRequest running = claimed("a");
        store.succeed(Lease.of(running).orElseThrow(), null, null).orElseThrow();
        assertThat(store.cancel(running.id())).isEmpty();
        assertThat(store.cancel(123_456_789)).isEmpty();
    }

    @Test
    void purgeDeletesOnlyFinishedRequestsOlderThanTheRetention() throws Exception {
        JobRequest done = claimed("a");
        store.succeed(Lease.of(done).orElseThrow(), null, null).orElseThrow();
        JobRequest waiting = queued("b");
        awaitPassed("the retention", store.find(done.id()).orElseThrow().finishedAt().plusMillis(40));

        assertThat(store.purgeFinished(Duration.ofHours(1))).isZero();
        assertThat(store.purgeFinished(Duration.ofMillis(20))).isEqualTo(1);

        assertThat(store.find(done.id())).isEmpty();
        assertThat(store.find(waiting.id())).isPresent();
    }

    @Test
    void claimNextTakesDueRequestsOldestFirstWithinTheFilterAndLimit() {
        JobRequest a1 = store.insert(new NewJobRequest("a", "q1", "null", null, Instant.now().minusSeconds(30), 3, "r1")).request();
        JobRequest b1 = store.insert(new NewJobRequest("b", "q1", "null", null, Instant.now().minusSeconds(20), 3, "r1")).request();
        JobRequest a2 = store.insert(new NewJobRequest("a", "q2", "null", null, Instant.now().minusSeconds(10), 3, "r2")).request();
        JobRequest a3 = store.insert(new NewJobRequest("a", "q1", "null", null, Instant.now().minusSeconds(5), 3, "r1")).request();
        JobRequest c1 = store.insert(new NewJobRequest("c", null, "null", null, Instant.now().minusSeconds(3), 3, "r1")).request();

        assertThat(store.claimNext(new ClaimFilter(Set.of("a"), Set.of("q1"), null), "w", LEASE, 1))
                .extracting(JobRequest::id).containsExactly(a1.id());
        assertThat(store.claimNext(new ClaimFilter(Set.of(), Set.of(), "r2"), "w", LEASE, 10))
                .extracting(JobRequest::id).containsExactly(a2.id());
        assertThat(store.claimNext(new ClaimFilter(Set.of(), Set.of("q1", "q2"), null), "w", LEASE, 10))
                .as("a queue filter leaves requests without a queue").extracting(JobRequest::id).containsExactly(b1.id(), a3.id());
        assertThat(store.claimNext(ClaimFilter.any(), "w", LEASE, 10))
                .extracting(JobRequest::id).containsExactly(c1.id());
        assertThat(store.claimNext(ClaimFilter.any(), "w", LEASE, 10)).isEmpty();
    }

    @Test
    void claimQueuedTakesOnlyTheNamedRequestsThatAreDueQueuedAndWithinTheFilter() {
        JobRequest a1 = store.insert(new NewJobRequest("a", "q1", "null", null, null, 3, "r1")).request();
        JobRequest a2 = store.insert(new NewJobRequest("a", "q1", "null", null, null, 3, "r1")).request();
        JobRequest b1 = store.insert(new NewJobRequest("b", "q1", "null", null, null, 3, "r1")).request();
        JobRequest later = store.insert(new NewJobRequest("a", "q1", "null", null, Instant.now().plusSeconds(600), 3, "r1")).request();
        JobRequest otherRunner = store.insert(new NewJobRequest("a", "q1", "null", null, null, 3, "r2")).request();
        JobRequest unnamed = store.insert(new NewJobRequest("a", "q1", "null", null, null, 3, "r1")).request();
        ClaimFilter filter = new ClaimFilter(Set.of("a"), Set.of("q1"), "r1");
        List<Long> named = List.of(a2.id(), a1.id(), b1.id(), later.id(), otherRunner.id(), a1.id(), 987_654_321L);

        List<JobRequest> claimed = store.claimQueued(named, filter, "w", LEASE);

        assertThat(claimed).as("due, queued and within the filter; oldest first").extracting(JobRequest::id)
                .containsExactly(a1.id(), a2.id());
        assertThat(claimed).allSatisfy(request -> {
            assertThat(request.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(request.lockedBy()).isEqualTo("w");
            assertThat(request.attempts()).isEqualTo(1);
        });
        assertThat(store.claimQueued(named, filter, "w2", LEASE)).as("already claimed").isEmpty();
        assertThat(store.find(unnamed.id()).orElseThrow().status()).as("a request no id named").isEqualTo(JobStatus.QUEUED);
        assertThat(store.find(later.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.find(b1.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.claimQueued(List.of(), filter, "w", LEASE)).isEmpty();
    }

    @Test
    void handOffsAreClaimedOnceWhenDueAndAgainOnlyWhenClearedOrStale() throws Exception {
        JobRequest due = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", false)).request();
        JobRequest farAhead = store.insert(new NewJobRequest("a", null, "null", null, Instant.now().plusSeconds(7200), 3,
                "sqs", "q1", false)).request();
        JobRequest sent = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", false)).request();
        JobRequest sentAtInsert = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q1", true)).request();
        JobRequest otherQueue = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "sqs", "q2", false)).request();
        JobRequest otherRunner = store.insert(new NewJobRequest("a", null, "null", null, null, 3, "lambda-async", "q1", false)).request();
        store.markHandedOff(List.of(sent.id()));
        assertThat(store.find(sent.id()).orElseThrow().handedOffAt()).isNotNull();
        assertThat(sentAtInsert.handedOffAt()).isNotNull();
        assertThat(sentAtInsert.handOffTarget()).isEqualTo("q1");
        Instant horizon = Instant.now().plusSeconds(900);

        List<JobRequest> first = store.claimHandOffs("sqs", "q1", horizon, Duration.ofHours(1), 10);

        assertThat(first).extracting(JobRequest::id).containsExactly(due.id());
        assertThat(first.get(0).handedOffAt()).isNotNull();
        assertThat(store.claimHandOffs("sqs", "q1", horizon, Duration.ofHours(1), 10)).isEmpty();
        store.clearHandOff(due.id());
        assertThat(store.claimHandOffs("sqs", "q1", horizon, Duration.ofHours(1), 10)).extracting(JobRequest::id)
                .containsExactly(due.id());
        assertThat(store.claimHandOffs("sqs", "q1", Instant.now().plusSeconds(7300), Duration.ofHours(1), 10))
                .extracting(JobRequest::id).containsExactly(farAhead.id());
        awaitPassed("the stale limit", store.find(due.id()).orElseThrow().handedOffAt().plusMillis(40));
        assertThat(store.claimHandOffs("sqs", "q1", horizon, Duration.ofMillis(40), 10)).extracting(JobRequest::id)
                .containsExactly(due.id(), sent.id(), sentAtInsert.id());
        assertThat(store.find(otherRunner.id()).orElseThrow().handedOffAt()).isNull();
        assertThat(store.claimHandOffs("sqs", "q2", horizon, Duration.ofHours(1), 10)).extracting(JobRequest::id)
                .containsExactly(otherQueue.id());
    }

    @Test
    void eightThreadsClaimingTwoThousandRequestsClaimEachExactlyOnce() throws Exception {
        int total = 2_000;
        for (int i = 0; i < total; i++) {
            store.insert(job("bulk"));
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String owner = "worker-" + t;
            results.add(pool.submit(() -> {
                start.await();
                List<Long> mine = new ArrayList<>();
                while (true) {
                    List<JobRequest> batch = store.claimNext(ClaimFilter.any(), owner, LEASE, 25);
                    if (batch.isEmpty()) {
                        return mine;
                    }
                    for (JobRequest request : batch) {
                        assertThat(request.lockedBy()).isEqualTo(owner);
                        if (!seen.add(request.id())) {
                            duplicates.incrementAndGet();
                        }
                        mine.add(request.id());
                    }
                }
            }));
        }
        start.countDown();
        Set<Long> union = new HashSet<>();
        int sum = 0;
        for (Future<List<Long>> result : results) {
            List<Long> mine = result.get(120, TimeUnit.SECONDS);
            sum += mine.size();
            union.addAll(mine);
        }
        pool.shutdown();

        assertThat(duplicates.get()).isZero();
        assertThat(sum).isEqualTo(total);
        assertThat(union).hasSize(total);
        assertThat(store.list(JobQuery.all().withStatus(JobStatus.RUNNING).limit(JobQuery.MAX_LIMIT))).hasSize(total);
        assertThat(store.list(JobQuery.all().withStatus(JobStatus.RUNNING).limit(JobQuery.MAX_LIMIT)))
                .allSatisfy(request -> assertThat(request.attempts()).isEqualTo(1));
    }

    @Test
    void concurrentInsertsWithOneDedupKeyLeaveOneRequest() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<InsertResult>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int n = t;
            results.add(pool.submit(() -> {
                start.await();
                return store.insert(new NewJobRequest("a", null, String.valueOf(n), "only-once", null, 3, "test"));
            }));
        }
        start.countDown();
        Set<Long> ids = new HashSet<>();
        int created = 0;
        for (Future<InsertResult> result : results) {
            InsertResult insert = result.get(60, TimeUnit.SECONDS);
            ids.add(insert.request().id());
            created += insert.created() ? 1 : 0;
        }
        pool.shutdown();

        assertThat(ids).hasSize(1);
        assertThat(created).isEqualTo(1);
        assertThat(store.list(JobQuery.all())).hasSize(1);
    }

    @Test
    void everyEndOfAnAttemptIsRecordedInTheHistoryWithItsOutcomeAndError() {
        JobRequest request = store.insert(new NewJobRequest("report", null, "{}", null, null, 3, "test")).request();
        store.claim(request.id(), "worker-a", LEASE).orElseThrow();
        store.requeue(new Lease(request.id(), "worker-a", 1), Instant.now(), JobAttempt.Outcome.TIMED_OUT, "too slow")
                .orElseThrow();
        store.claim(request.id(), "worker-b", Duration.ofMillis(1)).orElseThrow();
        Await.until("the lease expired", Duration.ofSeconds(5), () -> store.find(request.id()).orElseThrow()
                .lockedUntil().isBefore(Instant.now().minusMillis(50)));
        store.claim(request.id(), "worker-c", LEASE).orElseThrow();
        JobRequest done = store.fail(new Lease(request.id(), "worker-c", 3), "boom").orElseThrow();

        assertThat(done.history()).extracting(JobAttempt::attempt).containsExactly(1, 2, 3);
        assertThat(done.history()).extracting(JobAttempt::worker).containsExactly("worker-a", "worker-b", "worker-c");
        assertThat(done.history()).extracting(JobAttempt::outcome).containsExactly(JobAttempt.Outcome.TIMED_OUT,
                JobAttempt.Outcome.ABANDONED, JobAttempt.Outcome.FAILED);
        assertThat(done.history()).extracting(JobAttempt::error).containsExactly("too slow",
                abandonedError(2, 3, "worker-b"), "boom");
        for (JobAttempt attempt : done.history()) {
            assertThat(attempt.startedAt()).isNotNull();
            assertThat(attempt.finishedAt()).isAfterOrEqualTo(attempt.startedAt());
        }
        assertThat(done.attemptStartedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .isEqualTo(done.history().get(2).startedAt());
    }
}
