-- Workflows and batches. A job may depend on other jobs: it is stored 'waiting' until they finished,
-- then queued (or cancelled, as its run_when says). The finishing statement of a dependency is
-- followed, in the store, by the statement that settles its dependents (StoreStatements.settle).
ALTER TABLE job_request DROP CONSTRAINT job_request_status_check;
ALTER TABLE job_request ADD CONSTRAINT job_request_status_check
    CHECK (status IN ('waiting', 'queued', 'running', 'succeeded', 'failed', 'cancelled'));
-- How many of its dependencies have not finished; of those that finished, how many did not succeed.
ALTER TABLE job_request ADD COLUMN waiting_on integer NOT NULL DEFAULT 0;
ALTER TABLE job_request ADD COLUMN failed_dependencies integer NOT NULL DEFAULT 0;
-- NULL without dependencies; else all_succeeded, all_finished or any_failed (io.jobrunner.RunWhen).
ALTER TABLE job_request ADD COLUMN run_when text
    CHECK (run_when IS NULL OR run_when IN ('all_succeeded', 'all_finished', 'any_failed'));
-- True once a job depends on it: only then does its finish look for dependents.
ALTER TABLE job_request ADD COLUMN has_dependents boolean NOT NULL DEFAULT false;
ALTER TABLE job_request ADD COLUMN batch_id bigint;

-- One row per dependency: job_id runs after depends_on. settled: the finish of depends_on has been
-- counted by job_id (set in the statement that counts it, so it is counted once).
CREATE TABLE job_dependency (
    depends_on bigint  NOT NULL,
    job_id     bigint  NOT NULL REFERENCES job_request (id) ON DELETE CASCADE,
    settled    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (depends_on, job_id)
);
CREATE INDEX job_dependency_job ON job_dependency (job_id);
-- Dependencies whose finish is not yet counted: what the recovery sweep looks through.
CREATE INDEX job_dependency_unsettled ON job_dependency (depends_on) WHERE NOT settled;

-- A batch: its members carry its id; callbacks (JSON array of ids) depend on every member.
CREATE TABLE job_batch (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    total      integer     NOT NULL,
    callbacks  text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_request_batch ON job_request (batch_id, status) WHERE batch_id IS NOT NULL;
