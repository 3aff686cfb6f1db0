-- Kizuna store schema, version 11: what a pull did not store, per peer mapping.
-- docs/formats/store.md describes every table and column.
--
-- Objects of a pulled page that fail the checks (invalid, an invalid pattern) or that the
-- store refuses (store.h, Writer) or finds in conflict are skipped one by one; the mapping
-- counts them and keeps the last reason, written in the pull's transaction, so `kizuna sync
-- status` shows them.
ALTER TABLE peer_mappings ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peer_mappings ADD COLUMN last_rejection TEXT NOT NULL DEFAULT '';
