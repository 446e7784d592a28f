-- Which process runs an import job, and when it last said so: a job whose process died (kill -9,
-- a crash, a lost machine) is recognised at once on the same host (the process is gone) and
-- elsewhere when its heartbeat is older than a minute, and is then ended so it can be re-run.
ALTER TABLE import_job ADD COLUMN lease_owner text;
ALTER TABLE import_job ADD COLUMN heartbeat_at timestamptz;
CREATE INDEX import_job_running_idx ON import_job (id) WHERE status = 'running';
