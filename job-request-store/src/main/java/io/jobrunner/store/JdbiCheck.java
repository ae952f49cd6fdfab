package io.jobrunner.store;

import io.jobrunner.spi.store.StoreCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.JdbiException;

/**
 * {@link JdbiJobRequestStore#check()}: SQLite's {@code integrity_check} on the embedded store, then
 * every request and schedule read whole, a page at a time, each unreadable row reported by its key
 * and the reading going on. Changes nothing. Thread-safe.
 */
final class JdbiCheck {

    /** Problems beyond this many are counted, not listed. */
    static final int MAX_LISTED = 100;
    private static final int PAGE = 1_000;

    private final StoreAccess store;

    JdbiCheck(StoreAccess store) {
        this.store = store;
    }

    StoreCheck run() {
        List<String> checked = new ArrayList<>();
        Problems problems = new Problems();
        if (!store.postgres()) {
            integrityCheck(checked, problems);
        }
        long requests = readRequests(problems);
        checked.add(String.format(Locale.ROOT, "%,d job requests read whole (payload, result, attempt history, times)",
                requests));
        long schedules = readSchedules(problems);
        checked.add(String.format(Locale.ROOT, "%,d schedules read whole", schedules));
        if (problems.unreadableRows > 0) {
            problems.add(store.file == null
                    ? "These rows hold values jobrunner never writes (changed by hand?): correct or delete them"
                    : "Delete the unreadable rows (sqlite3 " + store.file + " \"DELETE FROM job_request WHERE id IN"
                            + " (…)\"), or " + Character.toLowerCase(StoreAccess.wayOut(store.file).charAt(0))
                            + StoreAccess.wayOut(store.file).substring(1));
        }
        return new StoreCheck(checked, problems.listed());
    }

    /** Every page and b-tree, every index entry against its row, UNIQUE, NOT NULL and CHECK constraints. */
    private void integrityCheck(List<String> checked, Problems problems) {
        List<String> found = store.call("run SQLite's integrity_check", () -> store.jdbi.withHandle(h ->
                h.createQuery("PRAGMA integrity_check(" + MAX_LISTED + ")").mapTo(String.class).list()));
        checked.add("SQLite's integrity_check: every page and b-tree of " + store.file + ", every index entry against"
                + " its row, UNIQUE, NOT NULL and CHECK constraints");
        if (!found.equals(List.of("ok"))) {
            found.forEach(line -> problems.add("integrity_check: " + line));
            problems.add("The file is damaged. " + StoreAccess.wayOut(store.file));
        }
    }

    private long readRequests(Problems problems) {
        long[] read = {0};
        long after = 0;
        while (true) {
            long from = after;
            List<Long> ids;
            try {
                ids = store.jdbi.withHandle(h -> h.createQuery(
                                "SELECT * FROM job_request WHERE id > :after ORDER BY id LIMIT " + PAGE)
                        .bind("after", from)
                        .map((rs, ctx) -> {
                            long id = rs.getLong("id");
                            try {
                                store.rows.read(rs);
                            } catch (UnreadableRowException e) {
                                problems.unreadable(e);
                            }
                            return id;
                        })
                        .list());
            } catch (JdbiException e) {
                problems.add(store.failed("read job requests after id " + from, e).getMessage());
                return read[0];
            }
            read[0] += ids.size();
            if (ids.size() < PAGE) {
                return read[0];
            }
            after = ids.get(ids.size() - 1);
        }
    }

    private long readSchedules(Problems problems) {
        try {
            return store.jdbi.withHandle(h -> h.createQuery("SELECT * FROM job_schedule ORDER BY name")
                    .map((rs, ctx) -> {
                        try {
                            JdbiSchedules.SCHEDULE.map(rs, ctx);
                        } catch (UnreadableRowException e) {
                            problems.unreadable(e);
                        }
                        return 1;
                    })
                    .list().size());
        } catch (JdbiException e) {
            problems.add(store.failed("read the schedules", e).getMessage());
            return 0;
        }
    }

    /** The problems found, the first {@value #MAX_LISTED} listed and the rest counted. */
    private static final class Problems {
        private final List<String> listed = new ArrayList<>();
        private int more;
        private int unreadableRows;

        void unreadable(UnreadableRowException row) {
            unreadableRows++;
            add(row.getMessage());
        }

        void add(String problem) {
            if (listed.size() < MAX_LISTED) {
                listed.add(problem);
            } else {
                more++;
            }
        }

        List<String> listed() {
            List<String> all = new ArrayList<>(listed);
            if (more > 0) {
                all.add("… and " + more + " more");
            }
            return all;
        }
    }
}
