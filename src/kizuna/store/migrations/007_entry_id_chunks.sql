-- Kizuna store schema, version 7: object ids in sorted arrays.
-- docs/formats/store.md describes every table and column.
--
-- Each id in entry_id_runs and entry_ids was an SQL row: a transaction inserted 10,000 of
-- them, and each merge inserted every id again into the large b-tree entry_ids, at about
-- 1.7 µs an id; at a million objects, the ids cost a fifth of an import. Now a run is a
-- sequence of chunks, sorted arrays of (id_hash, date_added_us) pairs in blobs, which a
-- transaction writes at once and a merge rewrites in one pass in memory (sqlite/entry_ids.h).
-- Compacted runs stay rows, in entry_id_compacted, so that compacting the runs of small
-- transactions costs what they hold, not what was compacted before.
CREATE TABLE entry_id_chunks (
  run INTEGER NOT NULL,
  first_hash INTEGER NOT NULL,
  ids BLOB NOT NULL,
  PRIMARY KEY (run, first_hash)
) WITHOUT ROWID;
CREATE TABLE entry_id_compacted (
  id_hash INTEGER NOT NULL,
  date_added_us INTEGER NOT NULL,
  PRIMARY KEY (id_hash, date_added_us)
) WITHOUT ROWID;
CREATE TABLE entry_id_deleted (
  date_added_us INTEGER PRIMARY KEY
);

-- SQL cannot write the blobs: the store packs these rows into run 0 when it opens, and drops
-- the table.
CREATE TABLE entry_id_unpacked (
  id_hash INTEGER NOT NULL,
  date_added_us INTEGER NOT NULL
);
INSERT INTO entry_id_unpacked (id_hash, date_added_us)
  SELECT id_hash, date_added_us FROM entry_ids
  UNION ALL SELECT id_hash, date_added_us FROM entry_id_runs;
DROP TRIGGER entries_remove_id;
DROP TABLE entry_ids;
DROP TABLE entry_id_runs;

-- A deleted entry's pair stays in its chunk until a merge or compaction leaves it out.
CREATE TRIGGER entries_remove_id AFTER DELETE ON entries
BEGIN
  INSERT OR IGNORE INTO entry_id_deleted (date_added_us) VALUES (OLD.date_added_us);
END;
