-- Specs are stored as the serialized protobuf messages of protos/: the protos stay the only schema.
create table project (
  name        text primary key,
  archived    boolean     not null default false,
  created_at  timestamptz not null default now()
);
insert into project (name) values ('default');

create table entity (
  project     text        not null references project (name),
  name        text        not null,
  spec        bytea       not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (project, name)
);

create table feature_table (
  project     text        not null references project (name),
  name        text        not null,
  spec        bytea       not null,
  revision    bigint      not null,
  spec_hash   text        not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (project, name)
);

-- Every spec a table ever had, kept after the table is deleted.
create table feature_table_revision (
  project     text        not null,
  name        text        not null,
  revision    bigint      not null,
  spec        bytea       not null,
  spec_hash   text        not null,
  created_at  timestamptz not null,
  recorded_at timestamptz not null,
  primary key (project, name, revision)
);

-- The change feed; writes are serialised, so sequence order is commit order.
create table change (
  sequence    bigserial   primary key,
  project     text        not null,
  kind        smallint    not null,
  name        text        not null,
  action      smallint    not null,
  revision    bigint      not null default 0,
  changed_at  timestamptz not null
);

create table store (
  name        text        primary key,
  spec        bytea       not null,
  updated_at  timestamptz not null
);
