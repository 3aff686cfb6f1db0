-- Kizuna store schema: the mark of deletes is random, and the store has an identity.
-- node_state entries_deleted (store.h EntriesDeleted) was a count of the entries removed;
-- a store restored from a backup that then deleted as many entries reached the same count
-- with other contents, and a compiled-set file or a `kizuna match --reload` run comparing
-- the marks would not have noticed. Every removal now sets it to a new random value instead
-- (in the removing transaction, whichever process does it): readers compare it for
-- equality only. store_id (store.h StoreId) is a random number made once per store and
-- never changed: a compiled-set file names the store it was compiled from.
-- IF EXISTS / IF NOT EXISTS / OR IGNORE: tests take a store back to older schemas and
-- migrate it again (migration 023 then makes its counting trigger again; this drops it).
DROP TRIGGER IF EXISTS entries_deleted_count;
CREATE TRIGGER IF NOT EXISTS entries_deleted_mark AFTER DELETE ON entries
BEGIN
  UPDATE node_state SET value = random() WHERE key = 'entries_deleted';
END;
INSERT OR IGNORE INTO node_state (key, value) VALUES ('store_id', random());
