-- Rate limits: at most rate_limit attempts of a type (rate_limit_per_key of one concurrency key)
-- started in any window of rate_period_ms (rate_period_per_key_ms).
ALTER TABLE job_limit ADD COLUMN rate_limit integer CHECK (rate_limit IS NULL OR rate_limit >= 1);
ALTER TABLE job_limit ADD COLUMN rate_period_ms bigint;
ALTER TABLE job_limit ADD COLUMN rate_limit_per_key integer CHECK (rate_limit_per_key IS NULL OR rate_limit_per_key >= 1);
ALTER TABLE job_limit ADD COLUMN rate_period_per_key_ms bigint;

-- One row per attempt started of a rate-limited type (limit_key NULL) and per key (limit_key set),
-- written by the claim that starts it; the recovery pass deletes those older than their window.
CREATE TABLE job_start (
    job_type   text        NOT NULL,
    limit_key  text,
    started_at timestamptz NOT NULL
);
CREATE INDEX job_start_window ON job_start (job_type, limit_key, started_at);

-- V5's function, with the rate limits: free places are also what is left of each window, counted
-- after the lock (clock_timestamp, not the transaction's start).
CREATE OR REPLACE FUNCTION jobrunner_free_places(p_types text[], p_keys text[])
RETURNS TABLE (limit_type text, limit_key text, free integer) LANGUAGE plpgsql VOLATILE AS
'DECLARE
    t text;
BEGIN
    FOR t IN SELECT DISTINCT u.v FROM unnest(p_types) AS u(v) ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(hashtext(''jobrunner.limit.'' || current_schema() || ''.'' || t));
    END LOOP;
    RETURN QUERY
        SELECT l.job_type, NULL::text, l.max_running - (SELECT count(*)::integer FROM job_request r
                WHERE r.status = ''running'' AND r.job_type = l.job_type)
        FROM job_limit l WHERE l.job_type = ANY (p_types) AND l.max_running IS NOT NULL
        UNION ALL
        SELECT k.t, k.k, l.max_running_per_key - (SELECT count(*)::integer FROM job_request r
                WHERE r.status = ''running'' AND r.job_type = k.t AND r.concurrency_key = k.k)
        FROM (SELECT DISTINCT a.t, a.k FROM unnest(p_types, p_keys) AS a(t, k) WHERE a.k IS NOT NULL) AS k
        JOIN job_limit l ON l.job_type = k.t
        WHERE l.max_running_per_key IS NOT NULL
        UNION ALL
        SELECT l.job_type, NULL::text, l.rate_limit - (SELECT count(*)::integer FROM job_start s
                WHERE s.job_type = l.job_type AND s.limit_key IS NULL
                AND s.started_at > clock_timestamp() - l.rate_period_ms * interval ''1 millisecond'')
        FROM job_limit l WHERE l.job_type = ANY (p_types) AND l.rate_limit IS NOT NULL
        UNION ALL
        SELECT k.t, k.k, l.rate_limit_per_key - (SELECT count(*)::integer FROM job_start s
                WHERE s.job_type = k.t AND s.limit_key = k.k
                AND s.started_at > clock_timestamp() - l.rate_period_per_key_ms * interval ''1 millisecond'')
        FROM (SELECT DISTINCT a.t, a.k FROM unnest(p_types, p_keys) AS a(t, k) WHERE a.k IS NOT NULL) AS k
        JOIN job_limit l ON l.job_type = k.t
        WHERE l.rate_limit_per_key IS NOT NULL;
END';
