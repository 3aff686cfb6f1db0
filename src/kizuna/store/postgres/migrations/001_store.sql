-- Kizuna PostgreSQL store schema, version 1: the object Store (store.h). Applied in one
-- transaction by PgStore under an advisory lock, so several nodes opening one database at once
-- migrate it once; kizuna_schema records the last migration applied. The tables follow the
-- SQLite store's (docs/formats/store.md); what differs is said here.

CREATE TABLE api_roots (
  name text PRIMARY KEY,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  max_content_length bigint NOT NULL DEFAULT 0
);

CREATE TABLE collections (
  pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  api_root text NOT NULL REFERENCES api_roots(name),
  alias text,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_us bigint NOT NULL,
  communities text NOT NULL DEFAULT '',
  default_release text NOT NULL DEFAULT 'creator-nation',
  exercise boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX collections_alias ON collections(api_root, alias) WHERE alias IS NOT NULL;

-- Node-wide counters. last_date_added_us is read and advanced by every write transaction
-- while it holds the writers' advisory lock, so date_added values are given out in commit
-- order across every process on the database: a cursor never skips a later commit.
CREATE TABLE node_state (
  key text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO node_state (key, value) VALUES ('last_date_added_us', 0);

-- One row per object version in a collection; date_added_us is unique across the node.
-- The JSON is bytea: the exact octets accepted, whatever they are.
CREATE TABLE entries (
  date_added_us bigint PRIMARY KEY,
  collection bigint NOT NULL,
  stix_id text NOT NULL,
  type text NOT NULL,
  version_ns bigint NOT NULL,
  spec_version smallint NOT NULL,
  version text NOT NULL,
  created_by_ref text,
  revoked boolean NOT NULL,
  markings text,
  granular_refs integer NOT NULL DEFAULT 0,
  valid_from_us bigint,
  valid_until_us bigint,
  origin text,
  added_by text,
  added_by_nation text,
  is_first boolean NOT NULL,
  is_last boolean NOT NULL,
  is_top_spec boolean NOT NULL,
  json bytea NOT NULL
);
CREATE INDEX entries_by_id ON entries(stix_id, collection);
CREATE INDEX entries_by_collection ON entries(collection, date_added_us);
CREATE INDEX entries_current ON entries(collection, date_added_us) WHERE is_last AND is_top_spec;

-- Where a pulled or pushed entry came from.
CREATE TABLE provenance (
  date_added_us bigint PRIMARY KEY,
  peer text NOT NULL,
  remote_collection text NOT NULL,
  remote_date_added text NOT NULL,
  received_us bigint NOT NULL
);

-- The first definition of each marking id the node held (never replaced, kept after deletes).
CREATE TABLE marking_definitions (
  stix_id text PRIMARY KEY,
  json bytea NOT NULL,
  local_author text,
  first_added_us bigint NOT NULL
);

-- TAXII status resources, in the order they were written (seq).
CREATE TABLE statuses (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  api_root text NOT NULL,
  organization text NOT NULL,
  request_timestamp_us bigint NOT NULL,
  total_count bigint NOT NULL,
  success_count bigint NOT NULL,
  failure_count bigint NOT NULL,
  pending_count bigint NOT NULL,
  details text NOT NULL
);

-- The audit log. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_log (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time_us bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  remote text NOT NULL,
  details text NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
