package io.jobrunner.store;

import io.jobrunner.JobStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    static final List<Migration> POSTGRESQL = List.of(
            new Migration(1, "create_job_request"),
            new Migration(2, "add_handed_off_at"),
            new Migration(3, "add_attempt_history"),
            new Migration(4, "create_job_schedule"),
            new Migration(5, "notify_database_workers"),
            new Migration(6, "queued_by_runner_index"),
            new Migration(7, "create_job_log"));

    static final List<Migration> SQLITE = List.of(
            new Migration(1, "create_tables"),
            new Migration(2, "queued_by_runner_index"),
            new Migration(3, "create_job_log"));

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
            Set<Integer> applied = handle.createQuery("SELECT version FROM jobrunner_schema_history")
                    .mapTo(Integer.class).set();
            int newest = migrations.get(migrations.size() - 1).version();
            int stored = applied.stream().mapToInt(Integer::intValue).max().orElse(0);
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
