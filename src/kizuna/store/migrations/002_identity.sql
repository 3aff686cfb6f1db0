-- Kizuna store schema, version 2: identity and access (docs/access.md). Organisations,
-- sharing groups, users, API tokens, collection grants and the append-only audit log.
-- docs/formats/store.md describes every table and column.

-- An organisation is a STIX identity (identity_class "organization") of one nation.
CREATE TABLE organizations (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,      -- identity--<uuid>
  name TEXT NOT NULL UNIQUE,
  nation TEXT NOT NULL,         -- ISO 3166-1 alpha-3, checked by the directory
  identity_json TEXT NOT NULL,  -- the STIX identity object
  created_us INTEGER NOT NULL
);

-- Sharing communities ("jpn-usa", "jpn-usa-kor"). GROUPS is an SQL keyword, hence the name.
CREATE TABLE sharing_groups (
  pk INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_us INTEGER NOT NULL
);

CREATE TABLE group_members (
  grp INTEGER NOT NULL REFERENCES sharing_groups(pk),
  organization INTEGER NOT NULL REFERENCES organizations(pk),
  PRIMARY KEY (grp, organization)
) WITHOUT ROWID;
CREATE INDEX group_members_by_org ON group_members(organization, grp);

CREATE TABLE users (
  pk INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  organization INTEGER NOT NULL REFERENCES organizations(pk),
  roles INTEGER NOT NULL,       -- bit set: 1 reader, 2 publisher, 4 org admin, 8 node admin
  disabled INTEGER NOT NULL DEFAULT 0,
  created_us INTEGER NOT NULL
);
CREATE INDEX users_by_org ON users(organization);

-- API tokens. Only an Argon2id hash of the secret is kept; `id` is the token's public part.
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user INTEGER NOT NULL REFERENCES users(pk),
  secret_hash TEXT NOT NULL,    -- crypto_pwhash_str() output: $argon2id$v=19$m=...,t=...,p=1$...
  label TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL,
  expires_us INTEGER,           -- NULL: never
  revoked_us INTEGER,           -- NULL: not revoked
  last_used_us INTEGER          -- written at most once a minute per token
) WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens(user);

-- What an organisation or a group may do with a collection: exactly one grantee per row.
CREATE TABLE grants (
  collection INTEGER NOT NULL REFERENCES collections(pk) ON DELETE CASCADE,
  organization INTEGER REFERENCES organizations(pk),
  grp INTEGER REFERENCES sharing_groups(pk),
  can_read INTEGER NOT NULL,
  can_write INTEGER NOT NULL,
  CHECK ((organization IS NULL) <> (grp IS NULL)),
  CHECK (can_read OR can_write)
);
CREATE UNIQUE INDEX grants_to_org ON grants(collection, organization) WHERE organization IS NOT NULL;
CREATE UNIQUE INDEX grants_to_group ON grants(collection, grp) WHERE grp IS NOT NULL;

-- The audit log. Append-only: the store has no UPDATE or DELETE of it, and these triggers
-- make any attempt fail (they cannot stop someone who edits the file or drops the table).
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,      -- append order
  time_us INTEGER NOT NULL,
  actor TEXT NOT NULL,          -- user name, or "cli"
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  remote TEXT NOT NULL,         -- client address; '' when local
  details TEXT NOT NULL         -- a JSON object
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Advanced by every change to the tables above except tokens.last_used_us and audit_log, so
-- servers notice changes made by other processes (`kizuna admin`) with one indexed read.
INSERT INTO node_state (key, value) VALUES ('identity_version', 0);
