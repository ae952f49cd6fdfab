-- Queued requests by runner in claim order. Claims and the hand-off sweep filter on the runner and
-- take the oldest due requests first: with this index the database reads them in order and stops
-- at the limit, whatever its statistics say. The index it replaces put the hand-off target between
-- runner and run-at, so a planner that believed the table small read every queued request of the
-- runner and sorted them on every claim.
DROP INDEX job_request_awaiting_hand_off;
CREATE INDEX job_request_queued_by_runner ON job_request (runner, run_at, id) WHERE status = 'queued';
