-- The workers registry (see ../postgresql/V2__workers.sql). Times are epoch milliseconds.
CREATE TABLE job_worker (
    id           TEXT    PRIMARY KEY,
    host         TEXT    NOT NULL,
    runner       TEXT    NOT NULL,
    target       TEXT,
    job_types    TEXT    NOT NULL,
    queues       TEXT    NOT NULL,
    slots        INTEGER NOT NULL CHECK (slots >= 0),
    started_at   INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer)),
    last_seen_at INTEGER NOT NULL DEFAULT (cast(unixepoch('subsec') * 1000 AS integer))
);
