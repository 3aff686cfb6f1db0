-- Kizuna store schema, version 13: which organisations are partners'. A partner node may not
-- bring this node a version of an object created by one of this node's own organisations
-- (docs/security.md, rule 5); an organisation is a partner's when it was imported (`kizuna
-- admin org import`), added with `--partner`, is of a peer's nation or has a `peer` user.
-- docs/formats/store.md describes every table and column.
ALTER TABLE organizations ADD COLUMN partner INTEGER NOT NULL DEFAULT 0;

-- Organisations imported before this version.
UPDATE organizations SET partner = 1
  WHERE id IN (SELECT target FROM audit_log WHERE action = 'org.import');
