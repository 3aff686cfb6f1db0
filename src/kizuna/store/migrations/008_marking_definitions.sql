-- Kizuna store schema, version 8: the marking definitions the node holds, one per id
-- (docs/security.md). Marking definitions are never versioned (STIX 2.1 §7.2): the first
-- definition of an id the node holds is the only one, and the policy resolves markings here,
-- never from whichever entry is newest. A row outlives the entries of its definition, so a
-- deleted definition cannot be replaced by another under the same id.
-- docs/formats/store.md describes every table and column.
CREATE TABLE marking_definitions (
  stix_id TEXT PRIMARY KEY,
  json BLOB NOT NULL,      -- the definition as first accepted
  local_author TEXT,       -- the organisation (identity id) of the user of this node who
                           -- introduced it; NULL when the operator or a partner node did
  first_added_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Definitions stored before this version: the first one added of each id. (SQLite gives the
-- bare columns of the row whose date_added_us is the minimum.)
INSERT INTO marking_definitions (stix_id, json, local_author, first_added_us)
  SELECT stix_id, json, NULL, min(date_added_us) FROM entries
  WHERE type = 'marking-definition' GROUP BY stix_id;
