-- Kizuna PostgreSQL store schema, version 6: directory changes are notified on kizuna_changes
-- too (payload 'directory'; postgres/change_listener.h), so another process's caches of
-- credentials and grants check the change version at once. Every directory change, and every
-- collection policy change, advances node_state.identity_version in its transaction
-- (002_identity.sql): that update is what notifies, so a token's use, which changes no
-- version, notifies nothing.

CREATE TRIGGER identity_version_moved AFTER UPDATE ON node_state
  FOR EACH ROW WHEN (NEW.key = 'identity_version' AND NEW.value IS DISTINCT FROM OLD.value)
  EXECUTE FUNCTION kizuna_notify_change('directory');
