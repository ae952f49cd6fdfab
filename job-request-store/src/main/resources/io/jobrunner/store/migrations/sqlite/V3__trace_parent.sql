-- The dispatcher's trace context (see ../postgresql/V3__trace_parent.sql).
ALTER TABLE job_request ADD COLUMN trace_parent TEXT;
