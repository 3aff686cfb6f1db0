-- Kizuna store schema, version 5: lookups by object id in two tables instead of an index.
-- docs/formats/store.md describes every table and column.
--
-- An index on the random id_hash makes each write transaction rewrite nearly every page of
-- that index: 1,000 new objects in a 100,000-object store dirtied about 150 of its 16 KiB
-- pages, 70% of the bytes written. New entries now go to the small entry_ids_recent, whose
-- pages a transaction rewrites cheaply; the store moves them into entry_ids in one sorted
-- pass once there are enough of them (sqlite/entry_ids.h). Lookups read both tables.
CREATE TABLE entry_ids (
  id_hash INTEGER NOT NULL,
  collection INTEGER NOT NULL,
  date_added_us INTEGER NOT NULL,
  PRIMARY KEY (id_hash, collection, date_added_us)
) WITHOUT ROWID;
CREATE TABLE entry_ids_recent (
  id_hash INTEGER NOT NULL,
  collection INTEGER NOT NULL,
  date_added_us INTEGER NOT NULL,
  PRIMARY KEY (id_hash, collection, date_added_us)
) WITHOUT ROWID;
INSERT INTO entry_ids (id_hash, collection, date_added_us)
  SELECT id_hash, collection, date_added_us FROM entries ORDER BY id_hash, collection, date_added_us;
DROP INDEX entries_by_id;

-- Every entry is in exactly one of the two tables: the store's writer puts each new entry in
-- one (sqlite/adder.cc), and this trigger takes deleted ones out, whatever deletes them.
CREATE TRIGGER entries_remove_id AFTER DELETE ON entries
BEGIN
  DELETE FROM entry_ids_recent
    WHERE id_hash = OLD.id_hash AND collection = OLD.collection AND date_added_us = OLD.date_added_us;
  DELETE FROM entry_ids
    WHERE id_hash = OLD.id_hash AND collection = OLD.collection AND date_added_us = OLD.date_added_us;
END;
