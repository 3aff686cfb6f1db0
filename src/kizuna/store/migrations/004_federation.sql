-- Kizuna store schema, version 4: releasability policy and federation (docs/policy.md,
-- docs/federation.md). Collection policy settings, what the policy needs beside each entry,
-- peers with their collection mappings and cursors, and the provenance of pulled entries.
-- docs/formats/store.md describes every table and column.

-- The sharing communities a collection serves (space-separated group names) and the release
-- of objects that carry no TLP, releasability or recipients marking (policy/collection_policy.h).
ALTER TABLE collections ADD COLUMN communities TEXT NOT NULL DEFAULT '';
ALTER TABLE collections ADD COLUMN default_release TEXT NOT NULL DEFAULT 'creator-nation';

-- How many of the last refs in `markings` come from granular markings (the rest are object
-- markings), so the policy reads an entry's JSON only when it has granular markings.
ALTER TABLE entries ADD COLUMN granular_refs INTEGER NOT NULL DEFAULT 0;
-- The peer an entry was pulled from (peers.name); NULL when it was written on this node.
ALTER TABLE entries ADD COLUMN origin TEXT;

UPDATE entries SET granular_refs = (
    SELECT count(*) FROM json_each(CAST(entries.json AS TEXT), '$.granular_markings')
    WHERE json_extract(value, '$.marking_ref') IS NOT NULL)
  WHERE markings IS NOT NULL AND instr(json, CAST('"granular_markings"' AS BLOB)) > 0;

-- Partner nodes. The token is the credential this node presents to the peer; it is kept in
-- clear because it must be sent (protect the data directory accordingly).
CREATE TABLE peers (
  name TEXT PRIMARY KEY,                 -- [a-z0-9._-]{1,64}
  url TEXT NOT NULL,                     -- base URL of the peer's TAXII server, https://host:port
  api_root TEXT NOT NULL,                -- the peer's API root (URL path segment)
  token TEXT NOT NULL,
  ca_file TEXT NOT NULL DEFAULT '',      -- PEM file of CAs to trust for this peer; '' = system
  nation TEXT NOT NULL,                  -- ISO 3166-1 alpha-3
  communities TEXT NOT NULL DEFAULT '',  -- space-separated community names
  organization TEXT NOT NULL DEFAULT '', -- the peer's organisation (identity id), may be ''
  created_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Which local collection syncs with which collection of the peer, in which direction, and how
-- far: pull_cursor is the peer's date_added (TAXII timestamp text) pulled through, written in
-- the transaction that stores the pulled objects; push_cursor_us is the local date_added
-- pushed through, written after the peer acknowledged.
CREATE TABLE peer_mappings (
  peer TEXT NOT NULL REFERENCES peers(name) ON DELETE CASCADE,
  local_collection TEXT NOT NULL,        -- collections.id
  remote_collection TEXT NOT NULL,       -- the peer's collection id
  direction TEXT NOT NULL CHECK (direction IN ('pull', 'push', 'both')),
  pull_cursor TEXT NOT NULL DEFAULT '',
  push_cursor_us INTEGER NOT NULL DEFAULT 0,
  pulled INTEGER NOT NULL DEFAULT 0,     -- new versions stored from this mapping
  pushed INTEGER NOT NULL DEFAULT 0,     -- versions the peer acknowledged
  last_pull_us INTEGER,                  -- last successful pull / push pass
  last_push_us INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_us INTEGER,
  PRIMARY KEY (peer, local_collection, remote_collection)
) WITHOUT ROWID;

-- Where a pulled entry came from and when, beside the entry (never inside its JSON).
CREATE TABLE provenance (
  date_added_us INTEGER PRIMARY KEY,     -- entries.date_added_us
  peer TEXT NOT NULL,
  remote_collection TEXT NOT NULL,
  remote_date_added TEXT NOT NULL,       -- the entry's date_added at the peer
  received_us INTEGER NOT NULL
);
