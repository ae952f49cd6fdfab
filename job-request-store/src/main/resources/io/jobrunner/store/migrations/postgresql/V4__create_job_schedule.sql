-- Recurring jobs: one row per schedule, shared by every scheduler. Times that schedulers compare
-- for equality (to fire each occurrence once) are epoch milliseconds, exact in any client.
CREATE TABLE job_schedule (
    name               text        PRIMARY KEY,
    spec               text        NOT NULL,
    zone               text        NOT NULL,
    job_type           text        NOT NULL,
    queue_name         text,
    payload            jsonb       NOT NULL,
    max_attempts       integer,
    allow_overlap      boolean     NOT NULL DEFAULT false,
    missed_runs        text        NOT NULL DEFAULT 'run_once' CHECK (missed_runs IN ('run_once', 'skip')),
    next_run_ms        bigint      NOT NULL,
    last_occurrence_ms bigint,
    last_job_id        bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX job_schedule_next_run ON job_schedule (next_run_ms);
