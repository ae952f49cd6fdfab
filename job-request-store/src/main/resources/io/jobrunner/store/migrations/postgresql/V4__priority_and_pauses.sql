-- Priorities: due queued requests are claimed higher priority first, then oldest due first. The
-- claim indexes lead with the priority so the database still reads them in claim order.
ALTER TABLE job_request ADD COLUMN priority smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100);
DROP INDEX job_request_queued_run_at;
CREATE INDEX job_request_queued_run_at ON job_request (priority DESC, run_at, id) WHERE status = 'queued';
DROP INDEX job_request_queued_by_runner;
CREATE INDEX job_request_queued_by_runner ON job_request (runner, priority DESC, run_at, id) WHERE status = 'queued';

-- Paused queues and job types: no claim takes a request of one (every claim statement checks), so
-- they stay queued until resumed. A queue is named as dispatched; 'default' is the default queue.
CREATE TABLE job_pause (
    kind      text        NOT NULL CHECK (kind IN ('queue', 'type')),
    name      text        NOT NULL,
    paused_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- A paused recurring job fires nothing until resumed, and resumes at its next occurrence from then.
ALTER TABLE job_schedule ADD COLUMN paused boolean NOT NULL DEFAULT false;
