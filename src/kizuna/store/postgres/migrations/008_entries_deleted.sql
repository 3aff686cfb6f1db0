-- Kizuna PostgreSQL store schema, version 8: a durable count of deleted entries (store.h
-- EntriesDeleted; SQLite's migration 023_entries_deleted.sql). node_state entries_deleted is
-- raised by the number of entries each statement removes, by a trigger, in the removing
-- transaction, whichever process and write path does it.

INSERT INTO node_state (key, value) VALUES ('entries_deleted', 0) ON CONFLICT (key) DO NOTHING;

CREATE FUNCTION kizuna_count_deleted_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A statement that removed nothing does not take the row's lock.
  UPDATE node_state SET value = value + (SELECT count(*) FROM removed)
    WHERE key = 'entries_deleted' AND EXISTS (SELECT 1 FROM removed);
  RETURN NULL;
END $$;

CREATE TRIGGER entries_deleted_count AFTER DELETE ON entries
  REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_count_deleted_entries();
