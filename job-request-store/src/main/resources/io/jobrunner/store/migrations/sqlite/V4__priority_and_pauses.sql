-- Priorities and pauses (see ../postgresql/V4__priority_and_pauses.sql). Times are epoch milliseconds.
ALTER TABLE job_request ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100);
DROP INDEX job_request_queued_run_at;
CREATE INDEX job_request_queued_run_at ON job_request (priority DESC, run_at, id) WHERE status = 'queued';
DROP INDEX job_request_queued_by_runner;
CREATE INDEX job_request_queued_by_runner ON job_request (runner, priority DESC, run_at, id) WHERE status = 'queued';

CREATE TABLE job_pause (
    kind      TEXT    NOT NULL CHECK (kind IN ('queue', 'type')),
    name      TEXT    NOT NULL,
    paused_at INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    PRIMARY KEY (kind, name)
);

ALTER TABLE job_schedule ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
