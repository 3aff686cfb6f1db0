-- Kizuna PostgreSQL store schema: the search index (store/search_index.h, docs/search.md),
-- SQLite's migrations 14 and 21 (docs/formats/store.md) with these differences:
-- - no search_value_runs: SQLite appends small writes as sorted runs so as not to rewrite
--   pages all over its value index; PostgreSQL's B-tree takes the rows directly (its pages
--   are written back by checkpoints, not by each commit), so every row goes in search_values.
-- - value and path are COLLATE "C": value ranges (FindValueRange) compare bytes, as SQLite's
--   BINARY collation does.
-- - search_text holds a tsvector per entry (full-text search of PostgreSQL's own, a GIN
--   index) instead of a contentless FTS5 table; a delete removes the row by its entry. Its
--   rows cannot be copied from SQLite (FTS5 keeps no text): `kizuna index rebuild` fills it.

-- One row per normalised value of an entry (kind: 1 observable, 2 pattern literal, 3 external
-- id, 4 reference to another object; path: where it is).
CREATE TABLE search_values (
  value text COLLATE "C" NOT NULL,
  entry bigint NOT NULL,
  kind bigint NOT NULL,
  path text COLLATE "C" NOT NULL,
  PRIMARY KEY (value, entry, kind, path)
);
CREATE INDEX search_values_by_entry ON search_values(entry);

-- Address blocks wider than one address: start and end are the first and last address as
-- unsigned big-endian bytes (4 for IPv4, 16 for IPv6; bytea compares byte by byte). An address
-- finds the blocks that contain it by (family, prefix, start) at each prefix length.
-- "end" is quoted: a reserved word in PostgreSQL.
CREATE TABLE search_ranges (
  family bigint NOT NULL,  -- 4 or 6
  prefix bigint NOT NULL,
  start bytea NOT NULL,
  entry bigint NOT NULL,
  kind bigint NOT NULL,
  path text COLLATE "C" NOT NULL,
  "end" bytea NOT NULL,
  PRIMARY KEY (family, prefix, start, entry, kind, path)
);
CREATE INDEX search_ranges_by_entry ON search_ranges(entry);

-- Full text of each entry (entry = date_added_us, SQLite's rowid): the words of `names` (name,
-- aliases; weight A) and of `text` (descriptions, labels, other text; weight B), as the store
-- tokenizes them (postgres/pg_text.h: FTS5's unicode61 with remove_diacritics 2).
CREATE TABLE search_text (
  entry bigint PRIMARY KEY,
  words tsvector NOT NULL
);
CREATE INDEX search_text_words ON search_text USING gin (words);

-- The extractor version the index was built with; 0 when it is stale (entries were written
-- without indexing). A store with entries needs `kizuna index rebuild`.
INSERT INTO node_state (key, value)
  SELECT 'search_index_version', CASE WHEN EXISTS (SELECT 1 FROM entries) THEN 0 ELSE 1 END;
