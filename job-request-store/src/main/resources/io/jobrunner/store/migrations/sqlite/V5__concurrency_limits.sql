-- Concurrency limits (see ../postgresql/V5__concurrency_limits.sql). SQLite runs one writer at a
-- time, so a claim statement's own counts are exact: no function and no lock is needed.
ALTER TABLE job_request ADD COLUMN concurrency_key TEXT;
CREATE INDEX job_request_running_by_type ON job_request (job_type, concurrency_key) WHERE status = 'running';

CREATE TABLE job_limit (
    job_type            TEXT    PRIMARY KEY,
    max_running         INTEGER CHECK (max_running IS NULL OR max_running >= 1),
    max_running_per_key INTEGER CHECK (max_running_per_key IS NULL OR max_running_per_key >= 1),
    updated_at          INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer))
);
