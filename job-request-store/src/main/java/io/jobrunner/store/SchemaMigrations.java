package io.jobrunner.store;

import io.jobrunner.JobStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema to the version this library needs, from SQL files shipped in the jar, one set
 * per dialect. Runs in one transaction that excludes other migrators (an advisory lock on
 * PostgreSQL; on SQLite the transaction itself holds the write lock), so processes starting
 * together apply each migration once and none sees a half-made schema. Applied versions are kept
 * in {@code jobrunner_schema_history}.
 */
final class SchemaMigrations {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

    record Migration(int version, String description) {
        String resource(SqlDialect dialect) {
            return "/io/jobrunner/store/migrations/" + dialect.migrationsFolder() + "/V" + version + "__" + description
                    + ".sql";
        }
    }

    static final List<Migration> POSTGRESQL = List.of(new Migration(1, "create_tables"), new Migration(2, "workers"),
            new Migration(3, "trace_parent"), new Migration(4, "priority_and_pauses"),
            new Migration(5, "concurrency_limits"), new Migration(6, "workflows_and_batches"),
            new Migration(7, "rate_limits"));

    static final List<Migration> SQLITE = List.of(new Migration(1, "create_tables"), new Migration(2, "workers"),
            new Migration(3, "trace_parent"), new Migration(4, "priority_and_pauses"),
            new Migration(5, "concurrency_limits"), new Migration(6, "workflows_and_batches"),
            new Migration(7, "rate_limits"));

    private SchemaMigrations() {
    }

    static List<Migration> of(SqlDialect dialect) {
        return dialect == SqlDialect.POSTGRESQL ? POSTGRESQL : SQLITE;
    }

    static void migrate(Jdbi jdbi, SqlDialect dialect) {
        List<Migration> migrations = of(dialect);
        jdbi.useTransaction(handle -> {
            if (dialect == SqlDialect.POSTGRESQL) {
                handle.execute("SELECT pg_advisory_xact_lock(hashtext('jobrunner.migrations.' || current_schema()))");
            }
            handle.execute("CREATE TABLE IF NOT EXISTS jobrunner_schema_history ("
                    + "version integer PRIMARY KEY, description text NOT NULL, "
                    + "installed_at " + (dialect == SqlDialect.POSTGRESQL ? "timestamptz" : "integer") + " NOT NULL DEFAULT "
                    + (dialect == SqlDialect.POSTGRESQL ? "now()" : "(" + dialect.now() + ")") + ")");
            Map<Integer, String> history = new HashMap<>();
            handle.createQuery("SELECT version, description FROM jobrunner_schema_history")
                    .map((rs, ctx) -> history.put(rs.getInt("version"), rs.getString("description"))).list();
            Set<Integer> applied = history.keySet();
            int newest = migrations.get(migrations.size() - 1).version();
            int stored = applied.stream().mapToInt(Integer::intValue).max().orElse(0);
            boolean earlierSnapshot = migrations.stream().anyMatch(m -> history.containsKey(m.version())
                    && !history.get(m.version()).equals(m.description()));
            if (earlierSnapshot) {
                throw new JobStoreException("The job request schema was made by a jobrunner snapshot before 0.1.0 ("
                        + history + "), whose migrations were folded into one; it is not migrated. Drop its tables"
                        + " (job_request, job_schedule, job_log, jobrunner_schema_history), or use another schema"
                        + " (JOB_RUNNER_DB_SCHEMA) or embedded directory (JOB_RUNNER_EMBEDDED_DIR)");
            }
            if (stored > newest) {
                throw new JobStoreException("The job request schema is at version " + stored + ", newer than the "
                        + newest + " this jobrunner version knows. Upgrade jobrunner in this application");
            }
            for (Migration migration : migrations) {
                if (!applied.contains(migration.version())) {
                    apply(handle, dialect, migration);
                }
            }
        });
    }

    private static void apply(Handle handle, SqlDialect dialect, Migration migration) {
        log.info("Applying job request schema migration {} V{} {}", dialect.migrationsFolder(), migration.version(),
                migration.description());
        handle.createScript(read(dialect, migration)).execute();
        if (dialect == SqlDialect.SQLITE) {
            // A migration may rewrite a stored table definition (a CHECK constraint SQLite cannot alter):
            // the new schema version tells every other connection to read the definitions again.
            int version = handle.createQuery("PRAGMA schema_version").mapTo(Integer.class).one();
            handle.execute("PRAGMA schema_version = " + (version + 1));
        }
        handle.createUpdate("INSERT INTO jobrunner_schema_history (version, description) VALUES (:v, :d)")
                .bind("v", migration.version())
                .bind("d", migration.description())
                .execute();
    }

    private static String read(SqlDialect dialect, Migration migration) {
        String resource = migration.resource(dialect);
        try (InputStream in = SchemaMigrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new JobStoreException("Migration " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobStoreException("Could not read migration " + resource, e);
        }
    }
}
