-- Wakes database workers (JOB_RUNNER=database) when one of their jobs becomes queued: dispatched,
-- retried, released or requeued. PostgreSQL folds identical notifications of one transaction into
-- one, so a bulk insert wakes each listener once. Rows of other runners never notify, so their
-- commits never wait on the notification queue's lock. The channel names the schema, so two
-- applications in two schemas do not wake each other.
CREATE FUNCTION jobrunner_notify_queued() RETURNS trigger LANGUAGE plpgsql AS
'BEGIN
    PERFORM pg_notify(''jobrunner_'' || TG_TABLE_SCHEMA, '''');
    RETURN NULL;
END';

CREATE TRIGGER job_request_queued_on_insert AFTER INSERT ON job_request
    FOR EACH ROW WHEN (NEW.runner = 'database')
    EXECUTE FUNCTION jobrunner_notify_queued();

CREATE TRIGGER job_request_queued_on_update AFTER UPDATE OF status ON job_request
    FOR EACH ROW WHEN (NEW.runner = 'database' AND NEW.status = 'queued')
    EXECUTE FUNCTION jobrunner_notify_queued();
