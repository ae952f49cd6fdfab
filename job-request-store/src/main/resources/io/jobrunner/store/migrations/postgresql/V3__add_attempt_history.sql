-- Every finished attempt of a request, oldest first: a JSON array of
-- {attempt, worker, startedAt, finishedAt (epoch milliseconds), outcome, error}.
ALTER TABLE job_request ADD COLUMN attempt_history jsonb NOT NULL DEFAULT '[]';
-- When the current (or last) attempt was claimed.
ALTER TABLE job_request ADD COLUMN attempt_started_at timestamptz;
