-- Queued requests by runner in claim order (as PostgreSQL's migration 6): claims and the hand-off
-- sweep read the oldest due requests of a runner in order and stop at the limit.
DROP INDEX job_request_awaiting_hand_off;
CREATE INDEX job_request_queued_by_runner ON job_request (runner, run_at, id) WHERE status = 'queued';
