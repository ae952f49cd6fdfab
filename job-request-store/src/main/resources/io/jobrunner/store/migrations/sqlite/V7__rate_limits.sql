-- Rate limits: see ../postgresql/V7__rate_limits.sql. Times are epoch milliseconds.
ALTER TABLE job_limit ADD COLUMN rate_limit INTEGER CHECK (rate_limit IS NULL OR rate_limit >= 1);
ALTER TABLE job_limit ADD COLUMN rate_period_ms INTEGER;
ALTER TABLE job_limit ADD COLUMN rate_limit_per_key INTEGER CHECK (rate_limit_per_key IS NULL OR rate_limit_per_key >= 1);
ALTER TABLE job_limit ADD COLUMN rate_period_per_key_ms INTEGER;

CREATE TABLE job_start (
    job_type   TEXT    NOT NULL,
    limit_key  TEXT,
    started_at INTEGER NOT NULL
);
CREATE INDEX job_start_window ON job_start (job_type, limit_key, started_at);
