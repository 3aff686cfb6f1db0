-- Kizuna store schema: how this node authenticates to a peer, and client certificates of users.
-- docs/formats/store.md describes every table and column; docs/federation.md and
-- docs/access.md the behaviour.
--
-- A peer that is not a Kizuna node may accept HTTP Basic only (the OASIS reference server) or
-- a client certificate only (government feeds). `auth` says what goes in the Authorization
-- header: 'bearer' (sealed_token is the token), 'basic' (basic_user, and sealed_token is the
-- password) or 'none'. client_cert and client_key are paths of PEM files presented in the TLS
-- handshake (mutual TLS); the key stays in its file (0600), never in the database.
ALTER TABLE peers ADD COLUMN auth TEXT NOT NULL DEFAULT 'bearer';
ALTER TABLE peers ADD COLUMN basic_user TEXT NOT NULL DEFAULT '';
ALTER TABLE peers ADD COLUMN client_cert TEXT NOT NULL DEFAULT '';
ALTER TABLE peers ADD COLUMN client_key TEXT NOT NULL DEFAULT '';

-- Client certificates that authenticate as a user on this node's server: the SHA-256 of the
-- certificate (DER), verified against the configured client CA in the TLS handshake first.
CREATE TABLE user_certificates (
  sha256 TEXT PRIMARY KEY,      -- 64 lowercase hex digits
  user INTEGER NOT NULL REFERENCES users(pk),
  label TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX user_certificates_by_user ON user_certificates(user);
