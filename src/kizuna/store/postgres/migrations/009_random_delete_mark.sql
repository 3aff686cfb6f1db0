-- Kizuna PostgreSQL store schema, version 9: the mark of deletes is random, and the store
-- has an identity (SQLite's migration 024_random_delete_mark.sql). node_state
-- entries_deleted (store.h EntriesDeleted) was a count of the entries removed; a store
-- restored from a backup, or a promoted standby, that then deleted as many entries reached
-- the same count with other contents. Every statement that removes entries now sets it to
-- a new random value, in the removing transaction: readers compare it for equality only.
-- store_id (store.h StoreId) is a random number made once per store and never changed.

CREATE FUNCTION kizuna_random_bigint() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT ('x' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))::bit(64)::bigint
$$;

DROP TRIGGER entries_deleted_count ON entries;
DROP FUNCTION kizuna_count_deleted_entries();

CREATE FUNCTION kizuna_mark_deleted_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A statement that removed nothing does not take the row's lock.
  UPDATE node_state SET value = kizuna_random_bigint()
    WHERE key = 'entries_deleted' AND EXISTS (SELECT 1 FROM removed);
  RETURN NULL;
END $$;

CREATE TRIGGER entries_deleted_mark AFTER DELETE ON entries
  REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_mark_deleted_entries();

INSERT INTO node_state (key, value) VALUES ('store_id', kizuna_random_bigint())
  ON CONFLICT (key) DO NOTHING;
