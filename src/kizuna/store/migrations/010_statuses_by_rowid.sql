-- Kizuna store schema: TAXII status resources in a rowid table, in the order of their requests.
-- docs/formats/store.md describes every table and column.
--
-- Migration 3 kept statuses WITHOUT ROWID, keyed by their id. In such a table the key of a
-- row is the whole row: to find where a new status goes, SQLite compared it with the rows
-- on its way, and a row larger than a page was first read whole from its overflow pages.
-- One status of 76 MB (an envelope of a million invalid objects) made every later Add
-- Objects request copy 76 MB while it held the store's writer. Here the table's key is the
-- rowid, so no search reads a status's details, and reads can stream them (sqlite3_blob).
-- Rowids follow the order of the writes, which is the order statuses expire in: expired
-- statuses are deleted from the start of the table, without an index by time that every
-- request would have to write too.
CREATE TABLE statuses_by_rowid (
  id TEXT NOT NULL UNIQUE,            -- the status id (a UUID) in the URL
  api_root TEXT NOT NULL,
  organization TEXT NOT NULL,         -- the requesting principal's organisation: who may read it
  request_timestamp_us INTEGER NOT NULL,
  total_count INTEGER NOT NULL,
  success_count INTEGER NOT NULL,
  failure_count INTEGER NOT NULL,
  pending_count INTEGER NOT NULL,
  details TEXT NOT NULL               -- the status resource's members after the counts (JSON)
);
-- Oldest first; only the ids are sorted, not the rows with their details.
INSERT INTO statuses_by_rowid (id, api_root, organization, request_timestamp_us, total_count,
    success_count, failure_count, pending_count, details)
  SELECT s.id, s.api_root, s.organization, s.request_timestamp_us, s.total_count,
         s.success_count, s.failure_count, s.pending_count, s.details
  FROM (SELECT id FROM statuses ORDER BY request_timestamp_us, id) AS o
  JOIN statuses AS s ON s.id = o.id;
DROP TABLE statuses;
ALTER TABLE statuses_by_rowid RENAME TO statuses;
