-- Kizuna store schema, version 6: the ids of recent entries in sorted runs.
-- docs/formats/store.md describes every table and column.
--
-- Migration 5 put new ids into entry_ids_recent, keyed by the random id_hash, so that each
-- transaction rewrote the pages of a small table rather than those of entry_ids. A bulk
-- import still rewrote most of entry_ids in every transaction of 10,000 objects, which made
-- importing a million objects cost more for the ids than for the objects. Now each write
-- transaction appends its ids, sorted, as one run: the key starts with the run number, so a
-- transaction writes new pages only. Runs are merged into entry_ids, or compacted into run 0,
-- once there are eight of them (sqlite/entry_ids.h).
CREATE TABLE entry_id_runs (
  run INTEGER NOT NULL,
  id_hash INTEGER NOT NULL,
  collection INTEGER NOT NULL,
  date_added_us INTEGER NOT NULL,
  PRIMARY KEY (run, id_hash, collection, date_added_us)
) WITHOUT ROWID;
INSERT INTO entry_id_runs (run, id_hash, collection, date_added_us)
  SELECT 0, id_hash, collection, date_added_us FROM entry_ids_recent
  ORDER BY id_hash, collection, date_added_us;
DROP TRIGGER entries_remove_id;
DROP TABLE entry_ids_recent;

-- Runs are numbered 0 to 8; lookups name each (run IN (...)) so that SQLite seeks in each
-- run instead of scanning them all.
CREATE TRIGGER entries_remove_id AFTER DELETE ON entries
BEGIN
  DELETE FROM entry_id_runs
    WHERE run IN (0, 1, 2, 3, 4, 5, 6, 7, 8) AND id_hash = OLD.id_hash
      AND collection = OLD.collection AND date_added_us = OLD.date_added_us;
  DELETE FROM entry_ids
    WHERE id_hash = OLD.id_hash AND collection = OLD.collection AND date_added_us = OLD.date_added_us;
END;
