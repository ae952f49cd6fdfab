-- Fleet-wide concurrency limits. A job may name a concurrency key (an account, a tenant) that its
-- type's per-key limit counts by.
ALTER TABLE job_request ADD COLUMN concurrency_key text;
-- Running requests by type and key: what the limits count.
CREATE INDEX job_request_running_by_type ON job_request (job_type, concurrency_key) WHERE status = 'running';

-- The limits of the job types that have one, written by every runner and worker from its handlers'
-- policies at start (the last to start wins). NULL: no such limit.
CREATE TABLE job_limit (
    job_type            text        PRIMARY KEY,
    max_running         integer     CHECK (max_running IS NULL OR max_running >= 1),
    max_running_per_key integer     CHECK (max_running_per_key IS NULL OR max_running_per_key >= 1),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- How many more of each limited type (and of each of its keys) may start now, for the claim
-- statements that take jobs of those types. It first takes a transaction lock per type, in name
-- order, so claims of one limited type follow each other; being VOLATILE, each of its queries then
-- reads what committed before it, including the claim that held the lock last. The lock ends with
-- the claim statement's transaction, so a limit is enforced in the claim statement itself.
CREATE FUNCTION jobrunner_free_places(p_types text[], p_keys text[])
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
        WHERE l.max_running_per_key IS NOT NULL;
END';
