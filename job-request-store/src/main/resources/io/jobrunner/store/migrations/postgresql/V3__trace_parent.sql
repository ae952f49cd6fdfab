-- The dispatcher's trace context (a W3C traceparent value), so every attempt of the request runs as a
-- child span of its dispatch, whichever process claims it. Null when the dispatcher traced nothing.
ALTER TABLE job_request ADD COLUMN trace_parent text;
