package io.jobrunner.benchmarks;

import io.jobrunner.testkit.PostgresFixture;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline of the one-by-one benchmark: the protocol of a database job queue in plain JDBC on a
 * table shaped like the store's ({@code LIKE job_request INCLUDING ALL}) — a producer's single-row
 * autocommit {@code INSERT}, workers claiming up to ten due rows with {@code FOR UPDATE SKIP LOCKED},
 * running them (no-op) and completing them in grouped commits (one {@code UPDATE … WHERE id = ANY(…)}
 * for whatever finished meanwhile). Workers are woken in memory by the producer, the cheapest wake
 * there is; a woken worker gathers for a millisecond (as a 1 ms poll would), then reserves the due
 * rows it will claim, so no claim comes back empty. No leases renewed, no history, no listeners, no
 * mapping: what the protocol costs alone.
 */
final class PlainJdbcQueue implements AutoCloseable {

    private static final int CLAIM = 10;
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final PostgresFixture postgres;
    private final Connection producer;
    private final PreparedStatement insert;
    private final List<Thread> workers = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final LinkedBlockingQueue<Long> finished = new LinkedBlockingQueue<>();
    private final Thread completer;
    private final Object wake = new Object();
    /** Rows inserted and not yet claimed. */
    private final AtomicLong due = new AtomicLong();
    private volatile boolean running = true;

    PlainJdbcQueue(PostgresFixture postgres, int threads) throws SQLException {
        this.postgres = postgres;
        postgres.execute("CREATE TABLE IF NOT EXISTS plain_job (LIKE job_request INCLUDING ALL)");
        producer = postgres.connect();
        insert = producer.prepareStatement("INSERT INTO plain_job (job_type, payload, run_at, max_attempts, runner)"
                + " VALUES (?, cast(? AS jsonb), now(), 1, 'plain')");
        for (int i = 0; i < threads; i++) {
            Connection connection = postgres.connect();
            connections.add(connection);
            Thread worker = new Thread(() -> work(connection), "plain-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
        Connection completing = postgres.connect();
        connections.add(completing);
        completer = new Thread(() -> complete(completing), "plain-completer");
        completer.setDaemon(true);
        workers.forEach(Thread::start);
        completer.start();
    }

    void truncate() {
        postgres.execute("TRUNCATE plain_job");
    }

    /** One job: its row inserted and committed, then the workers woken. */
    void dispatch(String type, int payload) throws SQLException {
        insert.setString(1, type);
        insert.setString(2, String.valueOf(payload));
        insert.executeUpdate();
        due.incrementAndGet();
        synchronized (wake) {
            wake.notify();
        }
    }

    private void work(Connection connection) {
        try (PreparedStatement claim = connection.prepareStatement("UPDATE plain_job SET status = 'running',"
                + " attempts = attempts + 1, locked_by = ?, locked_until = now() + interval '5 minutes',"
                + " started_at = now(), updated_at = now() WHERE id IN (SELECT id FROM plain_job WHERE status = 'queued'"
                + " AND run_at <= now() ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id")) {
            claim.setString(1, Thread.currentThread().getName());
            while (running) {
                synchronized (wake) {
                    while (running && due.get() <= 0) {
                        wake.wait(100);
                    }
                }
                if (!running) {
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(GATHER_NANOS);
                long reserved = reserve();
                if (reserved == 0) {
                    continue;  // another worker took them
                }
                claim.setLong(2, reserved);
                List<Long> ids = new ArrayList<>(CLAIM);
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
                due.addAndGet(reserved - ids.size());  // rows a concurrent claim reached first stay due
                finished.addAll(ids);  // the no-op jobs ran
            }
        } catch (SQLException e) {
            if (running) {
                throw new IllegalStateException("A plain worker failed", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes up to {@value #CLAIM} of the due rows for one claim; 0 when none are left. */
    private long reserve() {
        while (true) {
            long now = due.get();
            if (now <= 0) {
                return 0;
            }
            long take = Math.min(now, CLAIM);
            if (due.compareAndSet(now, now - take)) {
                return take;
            }
        }
    }

    /** Grouped commits: whatever finished while the last update ran goes in the next one. */
    private void complete(Connection connection) {
        try (PreparedStatement done = connection.prepareStatement("UPDATE plain_job SET status = 'succeeded',"
                + " finished_at = now(), updated_at = now(), locked_by = NULL, locked_until = NULL WHERE id = ANY(?)")) {
            List<Long> batch = new ArrayList<>();
            while (running) {
                Long first = finished.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                finished.drainTo(batch);
                Array ids = connection.createArrayOf("bigint", batch.toArray());
                done.setArray(1, ids);
                done.executeUpdate();
            }
        } catch (SQLException e) {
            if (running) {
                throw new IllegalStateException("The plain completer failed", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        for (Thread worker : workers) {
            worker.join(5_000);
        }
        completer.join(5_000);
        producer.close();
        for (Connection connection : connections) {
            connection.close();
        }
    }
}
