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
 * Brings the schema to the version this library needs, from SQL files shipped in the jar. Runs in
 * one transaction under an advisory lock, so processes starting together apply each migration once
 * and none sees a half-made schema. Applied versions are kept in {@code jobrunner_schema_history}.
 */
final class SchemaMigrations {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

    record Migration(int version, String description) {
        String resource() {
            return "/io/jobrunner/store/migrations/V" + version + "__" + description + ".sql";
        }
    }

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "create_job_request"),
            new Migration(2, "add_handed_off_at"),
            new Migration(3, "add_attempt_history"),
            new Migration(4, "create_job_schedule"));

    private SchemaMigrations() {
    }

    static void migrate(Jdbi jdbi) {
        jdbi.useTransaction(handle -> {
            handle.execute("SELECT pg_advisory_xact_lock(hashtext('jobrunner.migrations.' || current_schema()))");
            handle.execute("CREATE TABLE IF NOT EXISTS jobrunner_schema_history ("
                    + "version integer PRIMARY KEY, description text NOT NULL, "
                    + "installed_at timestamptz NOT NULL DEFAULT now())");
            Set<Integer> applied = handle.createQuery("SELECT version FROM jobrunner_schema_history")
                    .mapTo(Integer.class).set();
            int newest = MIGRATIONS.get(MIGRATIONS.size() - 1).version();
            int stored = applied.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (stored > newest) {
                throw new JobStoreException("The database schema is at version " + stored + ", newer than the "
                        + newest + " this jobrunner version knows. Upgrade jobrunner in this application");
            }
            for (Migration migration : MIGRATIONS) {
                if (!applied.contains(migration.version())) {
                    apply(handle, migration);
                }
            }
        });
    }

    private static void apply(Handle handle, Migration migration) {
        log.info("Applying job request schema migration V{} {}", migration.version(), migration.description());
        handle.createScript(read(migration)).execute();
        handle.createUpdate("INSERT INTO jobrunner_schema_history (version, description) VALUES (:v, :d)")
                .bind("v", migration.version())
                .bind("d", migration.description())
                .execute();
    }

    private static String read(Migration migration) {
        try (InputStream in = SchemaMigrations.class.getResourceAsStream(migration.resource())) {
            if (in == null) {
                throw new JobStoreException("Migration " + migration.resource() + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobStoreException("Could not read migration " + migration.resource(), e);
        }
    }
}
