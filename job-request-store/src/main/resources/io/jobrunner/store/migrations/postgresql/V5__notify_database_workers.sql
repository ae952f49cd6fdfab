-- Wakes database workers (JOB_RUNNER=database) when one of their requests becomes queued again:
-- retried, released or requeued after a failed attempt. (Dispatches notify from the insert itself,
-- so other runners' inserts pay nothing.) The WHEN clause is checked without calling the function,
-- so other rows and other transitions cost next to nothing; PostgreSQL folds identical
-- notifications of one transaction into one. The channel names the schema, so two applications in
-- two schemas do not wake each other.
CREATE FUNCTION jobrunner_notify_queued() RETURNS trigger LANGUAGE plpgsql AS
'BEGIN
    PERFORM pg_notify(''jobrunner_'' || TG_TABLE_SCHEMA, '''');
    RETURN NULL;
END';

CREATE TRIGGER job_request_queued_again AFTER UPDATE OF status ON job_request
    FOR EACH ROW WHEN (NEW.runner = 'database' AND NEW.status = 'queued' AND OLD.status <> 'queued')
    EXECUTE FUNCTION jobrunner_notify_queued();
