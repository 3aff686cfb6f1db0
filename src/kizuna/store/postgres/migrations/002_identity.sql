-- Kizuna PostgreSQL store schema, version 2: the directory (directory.h, docs/access.md):
-- organisations, sharing groups, users, API tokens, client certificates and collection grants.
-- The tables and columns are those of the SQLite store's migrations 2, 13, 15 and 16
-- (docs/formats/store.md), so `kizuna store copy` moves rows table by table. What differs:
--   - the 0/1 flags organizations.partner, users.disabled, grants.can_read and grants.can_write
--     are boolean;
--   - pk columns are identity columns (a copy inserts them OVERRIDING SYSTEM VALUE, then moves
--     each sequence past the largest pk copied), as collections.pk in version 1;
--   - tokens.user and user_certificates.user keep SQLite's name, a reserved word here: the
--     queries quote it ("user");
--   - the audit log is version 1's table (append-only by its triggers).
-- Texts are compared and ordered bytewise by the queries (COLLATE "C"), as SQLite does.

CREATE TABLE organizations (
  pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  name text NOT NULL UNIQUE,
  nation text NOT NULL,
  identity_json text NOT NULL,
  created_us bigint NOT NULL,
  partner boolean NOT NULL DEFAULT false
);

CREATE TABLE sharing_groups (
  pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_us bigint NOT NULL
);

CREATE TABLE group_members (
  grp bigint NOT NULL REFERENCES sharing_groups(pk),
  organization bigint NOT NULL REFERENCES organizations(pk),
  PRIMARY KEY (grp, organization)
);
CREATE INDEX group_members_by_org ON group_members(organization, grp);

CREATE TABLE users (
  pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  organization bigint NOT NULL REFERENCES organizations(pk),
  roles bigint NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_us bigint NOT NULL,
  password_hash text NOT NULL DEFAULT ''
);
CREATE INDEX users_by_org ON users(organization);

CREATE TABLE tokens (
  id text PRIMARY KEY,
  "user" bigint NOT NULL REFERENCES users(pk),
  secret_hash text NOT NULL,
  label text NOT NULL DEFAULT '',
  created_us bigint NOT NULL,
  expires_us bigint,
  revoked_us bigint,
  last_used_us bigint
);
CREATE INDEX tokens_by_user ON tokens("user");

CREATE TABLE user_certificates (
  sha256 text PRIMARY KEY,
  "user" bigint NOT NULL REFERENCES users(pk),
  label text NOT NULL DEFAULT '',
  created_us bigint NOT NULL
);
CREATE INDEX user_certificates_by_user ON user_certificates("user");

CREATE TABLE grants (
  collection bigint NOT NULL REFERENCES collections(pk) ON DELETE CASCADE,
  organization bigint REFERENCES organizations(pk),
  grp bigint REFERENCES sharing_groups(pk),
  can_read boolean NOT NULL,
  can_write boolean NOT NULL,
  CHECK ((organization IS NULL) <> (grp IS NULL)),
  CHECK (can_read OR can_write)
);
CREATE UNIQUE INDEX grants_to_org ON grants(collection, organization) WHERE organization IS NOT NULL;
CREATE UNIQUE INDEX grants_to_group ON grants(collection, grp) WHERE grp IS NOT NULL;

-- Advanced in the transaction of every directory change (not tokens.last_used_us, not audit
-- appends) and of every collection policy change, by whichever process makes it, so the
-- servers' caches and `kizuna bus` notice with one indexed read (Directory::ChangeVersion).
INSERT INTO node_state (key, value) VALUES ('identity_version', 0);
