-- The job request store on PostgreSQL. (Before 1.0 the schema is one migration; see CHANGELOG.md.)

-- One row per job request. Every state change is a conditional UPDATE of one row (the state
-- machine is in StoreStatements).
CREATE TABLE job_request (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_type           text        NOT NULL,
    queue_name         text,
    payload            jsonb       NOT NULL,
    status             text        NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress           smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    result_message     text,
    result             jsonb,
    last_error         text,
    attempts           integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts       integer     NOT NULL CHECK (max_attempts >= 1),
    dedup_key          text,
    run_at             timestamptz NOT NULL DEFAULT now(),
    locked_by          text,
    locked_until       timestamptz,
    runner             text,
    cancel_requested   boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    -- When a queued request was last handed to its transport (a queue message, an invocation);
    -- NULL: not yet, or the hand-off failed, and a sweep hands it off. hand_off_target names where.
    handed_off_at      timestamptz,
    hand_off_target    text,
    -- Every finished attempt, oldest first: a JSON array of
    -- {attempt, worker, startedAt, finishedAt (epoch milliseconds), outcome, error}.
    attempt_history    jsonb       NOT NULL DEFAULT '[]',
    -- When the current (or last) attempt was claimed.
    attempt_started_at timestamptz
);

CREATE UNIQUE INDEX job_request_dedup_key ON job_request (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX job_request_queued_run_at ON job_request (run_at, id) WHERE status = 'queued';
CREATE INDEX job_request_running_locked_until ON job_request (locked_until) WHERE status = 'running';
CREATE INDEX job_request_finished_at ON job_request (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX job_request_type_status ON job_request (job_type, status);
-- Queued requests by runner in claim order. Claims and the hand-off sweep filter on the runner and
-- take the oldest due requests first: with this index the database reads them in order and stops
-- at the limit, whatever its statistics say.
CREATE INDEX job_request_queued_by_runner ON job_request (runner, run_at, id) WHERE status = 'queued';

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

-- The lines handlers write with JobContext.log, kept with their request. Numbered per request from
-- 1: the lines dropped to keep a request's last ones are the numbers before the first kept. Deleted
-- with their request.
CREATE TABLE job_log (
    request_id bigint      NOT NULL REFERENCES job_request (id) ON DELETE CASCADE,
    seq        integer     NOT NULL,
    at         timestamptz NOT NULL,
    attempt    integer     NOT NULL,
    level      text        NOT NULL,
    message    text        NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- Wakes database workers when a request becomes queued again: retried, released or requeued after
-- a failed attempt. (A dispatch for workers notifies from its insert, so other dispatches pay
-- nothing.) The WHEN clause is checked without calling the function, so other transitions cost
-- next to nothing; PostgreSQL folds identical notifications of one transaction into one. The
-- channel names the schema, so two applications in two schemas do not wake each other.
CREATE FUNCTION jobrunner_notify_queued() RETURNS trigger LANGUAGE plpgsql AS
'BEGIN
    PERFORM pg_notify(''jobrunner_'' || TG_TABLE_SCHEMA, '''');
    RETURN NULL;
END';

CREATE TRIGGER job_request_queued_again AFTER UPDATE OF status ON job_request
    FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued')
    EXECUTE FUNCTION jobrunner_notify_queued();
