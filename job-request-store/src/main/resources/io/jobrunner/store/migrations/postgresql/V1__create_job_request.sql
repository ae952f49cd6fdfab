CREATE TABLE job_request (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_type         text        NOT NULL,
    queue_name       text,
    payload          jsonb       NOT NULL,
    status           text        NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress         smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    result_message   text,
    result           jsonb,
    last_error       text,
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
    dedup_key        text,
    run_at           timestamptz NOT NULL DEFAULT now(),
    locked_by        text,
    locked_until     timestamptz,
    runner           text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz
);

CREATE UNIQUE INDEX job_request_dedup_key ON job_request (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX job_request_queued_run_at ON job_request (run_at, id) WHERE status = 'queued';
CREATE INDEX job_request_running_locked_until ON job_request (locked_until) WHERE status = 'running';
CREATE INDEX job_request_finished_at ON job_request (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX job_request_type_status ON job_request (job_type, status);
