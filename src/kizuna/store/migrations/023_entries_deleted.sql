-- Kizuna store schema: a durable count of deleted entries (store.h EntriesDeleted). node_state
-- entries_deleted is raised by one for every entry removed, by a trigger, in the transaction
-- that removes it, whichever process and write path does it: a reader polling it with
-- last_date_added_us notices deletes made elsewhere (`kizuna match --reload` lists the
-- collections' entries only when it moved). It starts at 0: deletes before the migration are
-- not counted, and nothing before it can have read it.
-- IF NOT EXISTS / OR IGNORE: tests take a store back to older schemas and migrate it again.
INSERT OR IGNORE INTO node_state (key, value) VALUES ('entries_deleted', 0);
CREATE TRIGGER IF NOT EXISTS entries_deleted_count AFTER DELETE ON entries
BEGIN
  UPDATE node_state SET value = value + 1 WHERE key = 'entries_deleted';
END;
