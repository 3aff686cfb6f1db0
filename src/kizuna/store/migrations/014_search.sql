-- Kizuna store schema: the search index (store/search_index.h, docs/search.md). Each entry
-- (date_added_us) has the values, address blocks and text its object carries, written in the
-- same transaction as the entry. docs/formats/store.md describes every table and column.
--
-- search_values: one row per normalised value of an entry, with where it is (`path`: an
-- object path such as ipv4-addr:value, or a property name) and why (`kind`: 1 observable,
-- 2 pattern literal, 3 external id, 4 reference to another object).
CREATE TABLE search_values (
  value TEXT NOT NULL,
  entry INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (value, entry, kind, path)
) WITHOUT ROWID;
CREATE INDEX search_values_by_entry ON search_values(entry);

-- search_ranges: address blocks wider than one address (CIDR in observables and in pattern
-- comparisons). start and end are the first and last address as unsigned big-endian numbers
-- (4 bytes for IPv4, 16 for IPv6; BLOBs compare as such). An address finds the blocks that
-- contain it by one index lookup per prefix length held: (family, prefix, start) with start
-- its network address at that length.
CREATE TABLE search_ranges (
  family INTEGER NOT NULL,  -- 4 or 6
  prefix INTEGER NOT NULL,
  start BLOB NOT NULL,
  entry INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  path TEXT NOT NULL,
  -- After the key's columns: SQLite 3.40's integrity_check reports a NOT NULL column that
  -- comes between them in a WITHOUT ROWID table as NULL.
  end BLOB NOT NULL,
  PRIMARY KEY (family, prefix, start, entry, kind, path)
) WITHOUT ROWID;
CREATE INDEX search_ranges_by_entry ON search_ranges(entry);

-- search_text: full text of each entry (rowid = date_added_us): `names` (name, aliases) and
-- `text` (descriptions, labels, other text). Contentless: the text stays in the entry's JSON
-- only; a delete gives the extracted text back to FTS5.
CREATE VIRTUAL TABLE search_text USING fts5(names, text, content='',
                                            tokenize='unicode61 remove_diacritics 2');

-- The extractor version the index was built with; 0 when it is stale (entries were written
-- without indexing). A store with entries needs `kizuna index rebuild`.
INSERT INTO node_state (key, value)
  SELECT 'search_index_version', CASE WHEN EXISTS (SELECT 1 FROM entries) THEN 0 ELSE 1 END;
