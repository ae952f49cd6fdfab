-- Workflows and batches: see ../postgresql/V6__workflows_and_batches.sql.
ALTER TABLE job_request ADD COLUMN waiting_on INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_request ADD COLUMN failed_dependencies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_request ADD COLUMN run_when TEXT
    CHECK (run_when IS NULL OR run_when IN ('all_succeeded', 'all_finished', 'any_failed'));
ALTER TABLE job_request ADD COLUMN has_dependents BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE job_request ADD COLUMN batch_id INTEGER;

CREATE TABLE job_dependency (
    depends_on INTEGER NOT NULL,
    job_id     INTEGER NOT NULL REFERENCES job_request (id) ON DELETE CASCADE,
    settled    BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (depends_on, job_id)
);
CREATE INDEX job_dependency_job ON job_dependency (job_id);
CREATE INDEX job_dependency_unsettled ON job_dependency (depends_on) WHERE NOT settled;

CREATE TABLE job_batch (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    total      INTEGER NOT NULL,
    callbacks  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer))
);
CREATE INDEX job_request_batch ON job_request (batch_id, status) WHERE batch_id IS NOT NULL;

-- SQLite cannot alter a CHECK constraint: the status check gains 'waiting' by rewriting the table's
-- stored definition, which changes nothing on disk. Last, because ALTER TABLE edits that text at
-- offsets it read before; the migrator bumps schema_version after it so every connection reads it anew.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN (''queued'',',
        'CHECK (status IN (''waiting'', ''queued'',')
    WHERE type = 'table' AND name = 'job_request';
PRAGMA writable_schema = OFF;
