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
