-- Kizuna store schema, version 7: merged ids in sorted arrays.
-- docs/formats/store.md describes every table and column.
--
-- A merge of the runs into entry_ids inserted every id into a large b-tree, at about 1.7 µs
-- an id: at a million objects, the merges cost an eighth of an import. The merged ids now
-- live in entry_id_chunks, which a merge rewrites in one pass in memory (sqlite/entry_ids.h).
-- Each chunk holds the (id_hash, date_added_us) pairs of a range of hashes, sorted, as
-- 16-octet little-endian pairs; a hash never spans two chunks. Deleting an entry leaves its
-- pair in a chunk until the next merge: entry_id_deleted keeps the entry, and lookups only
-- return entries that still exist.
CREATE TABLE entry_id_chunks (
  first_hash INTEGER PRIMARY KEY,
  ids BLOB NOT NULL
);
CREATE TABLE entry_id_deleted (
  date_added_us INTEGER PRIMARY KEY
);

-- The merged ids wait in run 0 for the next merge.
INSERT INTO entry_id_runs (run, id_hash, collection, date_added_us)
  SELECT 0, id_hash, collection, date_added_us FROM entry_ids
  ORDER BY id_hash, collection, date_added_us;
DROP TRIGGER entries_remove_id;
DROP TABLE entry_ids;

CREATE TRIGGER entries_remove_id AFTER DELETE ON entries
BEGIN
  DELETE FROM entry_id_runs
    WHERE run IN (0, 1, 2, 3, 4, 5, 6, 7, 8) AND id_hash = OLD.id_hash
      AND collection = OLD.collection AND date_added_us = OLD.date_added_us;
  INSERT OR IGNORE INTO entry_id_deleted (date_added_us) VALUES (OLD.date_added_us);
END;
