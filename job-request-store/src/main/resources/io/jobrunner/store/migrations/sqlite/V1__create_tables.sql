-- The embedded store: the same tables as on PostgreSQL (see ../postgresql), in SQLite types.
-- (Before 1.0 the schema is one migration; see CHANGELOG.md.)
-- Times are epoch milliseconds; JSON is text. AUTOINCREMENT keeps ids of purged requests from
-- being used again, so a stale message can never name a different job.
CREATE TABLE job_request (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    job_type           TEXT    NOT NULL,
    queue_name         TEXT,
    payload            TEXT    NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress           INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    result_message     TEXT,
    result             TEXT,
    last_error         TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts       INTEGER NOT NULL CHECK (max_attempts >= 1),
    dedup_key          TEXT,
    run_at             INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    locked_by          TEXT,
    locked_until       INTEGER,
    runner             TEXT,
    cancel_requested   BOOLEAN NOT NULL DEFAULT false,
    created_at         INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    updated_at         INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    started_at         INTEGER,
    finished_at        INTEGER,
    handed_off_at      INTEGER,
    hand_off_target    TEXT,
    attempt_history    TEXT    NOT NULL DEFAULT '[]',
    attempt_started_at INTEGER
);

CREATE UNIQUE INDEX job_request_dedup_key ON job_request (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX job_request_queued_run_at ON job_request (run_at, id) WHERE status = 'queued';
CREATE INDEX job_request_running_locked_until ON job_request (locked_until) WHERE status = 'running';
CREATE INDEX job_request_finished_at ON job_request (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX job_request_type_status ON job_request (job_type, status);
-- Queued requests by runner in claim order: claims and the hand-off sweep read the oldest due
-- requests of a runner in order and stop at the limit.
CREATE INDEX job_request_queued_by_runner ON job_request (runner, run_at, id) WHERE status = 'queued';

CREATE TABLE job_schedule (
    name               TEXT    PRIMARY KEY,
    spec               TEXT    NOT NULL,
    zone               TEXT    NOT NULL,
    job_type           TEXT    NOT NULL,
    queue_name         TEXT,
    payload            TEXT    NOT NULL,
    max_attempts       INTEGER,
    allow_overlap      BOOLEAN NOT NULL DEFAULT false,
    missed_runs        TEXT    NOT NULL DEFAULT 'run_once' CHECK (missed_runs IN ('run_once', 'skip')),
    next_run_ms        INTEGER NOT NULL,
    last_occurrence_ms INTEGER,
    last_job_id        INTEGER,
    created_at         INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    updated_at         INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer))
);

CREATE INDEX job_schedule_next_run ON job_schedule (next_run_ms);

-- The lines handlers write with JobContext.log. Times are epoch milliseconds, as in job_request.
-- The store turns foreign keys on for every connection.
CREATE TABLE job_log (
    request_id INTEGER NOT NULL REFERENCES job_request (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    attempt    INTEGER NOT NULL,
    level      TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    PRIMARY KEY (request_id, seq)
);
