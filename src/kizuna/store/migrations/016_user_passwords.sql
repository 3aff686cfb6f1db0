-- Kizuna store schema: users' console passwords.
-- docs/formats/store.md describes every table and column; docs/security.md the behaviour.
--
-- A user may sign in to the web console with a password (`kizuna admin user passwd`). Only
-- its Argon2id hash is stored (libsodium crypto_pwhash_str: salt and parameters in the
-- string); empty means the user has no password and signs in with a token only. Console
-- sessions themselves are kept in the server's memory, never in the store.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
