-- When a queued request was last handed to its transport (a queue message, an invocation).
-- NULL: not yet, or the hand-off failed; a sweep in the workers hands it off.
-- hand_off_target names where: a queue URL, a function name.
ALTER TABLE job_request ADD COLUMN handed_off_at timestamptz;
ALTER TABLE job_request ADD COLUMN hand_off_target text;

CREATE INDEX job_request_awaiting_hand_off ON job_request (runner, hand_off_target, run_at) WHERE status = 'queued';
