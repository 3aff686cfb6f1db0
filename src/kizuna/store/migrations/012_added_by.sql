-- Kizuna store schema, version 12: who added each entry to this node. An object without
-- created_by_ref (every SCO, and any object the operator or a partner sends without one) is
-- released and deleted as its adder's (docs/policy.md, docs/access.md).
-- docs/formats/store.md describes every table and column.
--
-- added_by: the organisation (identity id) that added the entry: a user's organisation, the
-- organisation of the `peer` user that pushed it, or the pulled peer's organisation; NULL when
-- the operator added it or the peer has none. added_by_nation: that writer's nation (for a
-- peer, its nation even without an organisation); NULL for the operator.
ALTER TABLE entries ADD COLUMN added_by TEXT;
ALTER TABLE entries ADD COLUMN added_by_nation TEXT;

-- Entries stored before this version: those without a creator that a partner sent get the
-- partner's organisation and nation (origin names the pulled peer, or the user that pushed);
-- the others are only ever decided by their creator, and the operator's stay NULL.
UPDATE entries SET
    added_by = (SELECT nullif(organization, '') FROM peers WHERE peers.name = entries.origin),
    added_by_nation = (SELECT nation FROM peers WHERE peers.name = entries.origin)
  WHERE created_by_ref IS NULL AND origin IN (SELECT name FROM peers);
UPDATE entries SET
    added_by = (SELECT o.id FROM users u JOIN organizations o ON o.pk = u.organization
                WHERE u.name = entries.origin),
    added_by_nation = (SELECT o.nation FROM users u JOIN organizations o ON o.pk = u.organization
                       WHERE u.name = entries.origin)
  WHERE created_by_ref IS NULL AND added_by_nation IS NULL AND origin IN (SELECT name FROM users);
