-- Kizuna store schema, version 1. Applied in one transaction by the SQLite store; the
-- database's user_version records the last migration applied. docs/formats/store.md
-- describes every table and column.

CREATE TABLE api_roots (
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  max_content_length INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE collections (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  api_root TEXT NOT NULL REFERENCES api_roots(name),
  alias TEXT,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL
);
CREATE UNIQUE INDEX collections_alias ON collections(api_root, alias) WHERE alias IS NOT NULL;

-- Node-wide counters kept across restarts.
CREATE TABLE node_state (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO node_state (key, value) VALUES ('last_date_added_us', 0);
-- The key of the object-id hash (entries.id_hash): random per database, so nobody can craft
-- ids that all land on one hash value.
INSERT INTO node_state (key, value) VALUES ('id_hash_key_0', random()), ('id_hash_key_1', random());

-- One row per object version in a collection. date_added_us is the row id: it increases
-- strictly across the whole node, so it orders every collection and never repeats, even
-- after deletes.
CREATE TABLE entries (
  date_added_us INTEGER PRIMARY KEY,
  collection INTEGER NOT NULL,  -- collections.pk; checked by the store, not by a foreign key,
                                -- whose per-row check would cost a sixth of an insert
  id_hash INTEGER NOT NULL,
  stix_id TEXT NOT NULL,
  type TEXT NOT NULL,
  version_ns INTEGER NOT NULL,
  spec_version INTEGER NOT NULL,
  version TEXT NOT NULL,
  created_by_ref TEXT,
  revoked INTEGER NOT NULL,
  markings TEXT,
  valid_from_us INTEGER,
  valid_until_us INTEGER,
  is_first INTEGER NOT NULL,
  is_last INTEGER NOT NULL,
  is_top_spec INTEGER NOT NULL,
  json BLOB NOT NULL
);
-- Lookups by object id go through a 64-bit keyed hash of it (SipHash-2-4): a third of the
-- size of an index on the text, so bulk imports rewrite fewer pages.
CREATE INDEX entries_by_id ON entries(id_hash, collection);
CREATE INDEX entries_by_collection ON entries(collection, date_added_us);
CREATE INDEX entries_current ON entries(collection, date_added_us)
  WHERE is_last = 1 AND is_top_spec = 1;
