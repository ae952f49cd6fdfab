-- When a queued request was last handed to its transport (a queue message, an invocation).
-- NULL: not yet, or the hand-off failed; a sweep in the workers hands it off.
ALTER TABLE job_request ADD COLUMN handed_off_at timestamptz;

CREATE INDEX job_request_awaiting_hand_off ON job_request (runner, run_at) WHERE status = 'queued';
