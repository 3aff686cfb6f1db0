-- Kizuna PostgreSQL store schema, version 5: every change another process must see at once is
-- notified on the channel kizuna_changes (postgres/change_listener.h), from triggers, so no
-- write path can forget it. A notification is delivered when its transaction commits, and the
-- same payload is sent once per transaction however many statements fire it. Payloads:
-- 'entries' (entries added), 'deletes' (entries deleted), 'collections' (API roots and
-- collections created or changed), 'directory' (organisations, groups, users, tokens,
-- certificates, grants).

CREATE FUNCTION kizuna_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kizuna_changes', TG_ARGV[0]);
  RETURN NULL;
END $$;

CREATE TRIGGER entries_added AFTER INSERT ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_notify_change('entries');
CREATE TRIGGER entries_deleted AFTER DELETE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_notify_change('deletes');
CREATE TRIGGER collections_changed AFTER INSERT OR UPDATE ON collections
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_notify_change('collections');
CREATE TRIGGER api_roots_changed AFTER INSERT OR UPDATE ON api_roots
  FOR EACH STATEMENT EXECUTE FUNCTION kizuna_notify_change('collections');
