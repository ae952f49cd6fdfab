-- The workers registry: database and SQS workers register here at start, renew last_seen_at
-- every 10 seconds and remove their row at stop (JobWorker). Job types and queues are JSON arrays.
CREATE TABLE job_worker (
    id           text        PRIMARY KEY,
    host         text        NOT NULL,
    runner       text        NOT NULL,
    target       text,
    job_types    text        NOT NULL,
    queues       text        NOT NULL,
    slots        integer     NOT NULL CHECK (slots >= 0),
    started_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
