-- Kizuna store schema: scheduled feeds (`kizuna feed add`), pulled by the node while it serves.
-- docs/formats/store.md describes every table and column; docs/feeds.md the behaviour.
--
-- A feed is a URL fetched every `every_us`, whose body (format 'misp', 'csv', 'lines' or
-- 'stix') is imported into `collection` as user `as_user` (checked against that user's grants
-- at each run). How this node authenticates to the feed's server follows the peers' rules
-- (migration 015): `auth` 'none', 'bearer' or 'basic', the secret sealed with the node's key.
-- The conditional-request validators (etag, last_modified) and the statistics are written by
-- each run; `failures` counts the consecutive failed runs, for the backoff.
CREATE TABLE feeds (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  format TEXT NOT NULL,
  collection TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  as_user TEXT NOT NULL,
  every_us INTEGER NOT NULL,
  field_map TEXT NOT NULL DEFAULT '',
  timeout_ms INTEGER NOT NULL,
  max_bytes INTEGER NOT NULL,
  auth TEXT NOT NULL DEFAULT 'none',
  basic_user TEXT NOT NULL DEFAULT '',
  sealed_secret BLOB NOT NULL DEFAULT x'',
  ca_file TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  runs INTEGER NOT NULL DEFAULT 0,
  not_modified INTEGER NOT NULL DEFAULT 0,
  new_objects INTEGER NOT NULL DEFAULT 0,
  updated_objects INTEGER NOT NULL DEFAULT 0,
  rejected_objects INTEGER NOT NULL DEFAULT 0,
  last_run_us INTEGER,
  last_success_us INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_us INTEGER,
  failures INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
