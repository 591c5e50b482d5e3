-- The orchestrator's job store: every job it was asked for or started, with the exact spec handed to
-- Spark, so a restarted orchestrator knows (and can adopt) every job.
create table job (
  id              text        primary key,
  type            text        not null,  -- feast.core.JobType name
  status          text        not null,  -- feast.core.JobStatus name
  project         text        not null,
  table_name      text        not null default '',  -- ingestion jobs: their table
  tables          text        not null default '',  -- comma-separated tables the job reads
  spec_json       text        not null,  -- the larder.jobs spec, as handed to Spark
  spec_hash       text        not null,  -- stream/batch: the table's meta.hash; retrieval: spec hash
  output_location text        not null default '',
  log_uri         text        not null default '',
  spark_master    text        not null default '',
  application_id  text        not null default '',
  pid             bigint      not null default 0,
  host            text        not null default '',
  attempts        int         not null default 0,
  deaths          text        not null default '',  -- stream jobs: epoch millis of recent deaths
  error           text        not null default '',
  stop_reason     text        not null default '',  -- set before a requested stop
  stop_status     text        not null default '',  -- the status a requested stop ends in
  progress_json   text        not null default '',  -- the last larder.jobs.JobResult
  ready           boolean     not null default false,  -- stream jobs: the query runs
  scheduled       boolean     not null default false,
  window_start    timestamptz,
  window_end      timestamptz,
  created_at      timestamptz not null,
  started_at      timestamptz,
  ended_at        timestamptz,
  next_attempt_at timestamptz,
  queue_seq       bigserial,  -- first in, first out among PENDING jobs
  version         bigint      not null default 0  -- guards every update against stale writers
);
create index job_active on job (status) where status in ('JOB_STATUS_PENDING', 'JOB_STATUS_RUNNING');
create index job_table on job (project, table_name);

create table job_status_change (
  job_id  text        not null references job (id),
  seq     bigserial   primary key,
  status  text        not null,
  at      timestamptz not null,
  reason  text        not null default ''
);
create index job_status_change_job on job_status_change (job_id, seq);

-- Small facts the control loop keeps across restarts (e.g. the last registry change it applied).
create table orchestrator_state (
  key   text primary key,
  value text not null
);
