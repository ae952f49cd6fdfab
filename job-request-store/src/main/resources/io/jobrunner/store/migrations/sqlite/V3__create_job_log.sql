-- The lines handlers write with JobContext.log, as PostgreSQL's migration 7. Times are epoch
-- milliseconds, as in job_request. The store turns foreign keys on for every connection.
CREATE TABLE job_log (
    request_id INTEGER NOT NULL REFERENCES job_request (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    attempt    INTEGER NOT NULL,
    level      TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    PRIMARY KEY (request_id, seq)
);
