-- TAXII status resources (TAXII 2.1 §4.3.1): kept so that a client can read the outcome of
-- an Add Objects request later, also after a restart.
CREATE TABLE statuses (
  id TEXT PRIMARY KEY,                -- the status id (a UUID) in the URL
  api_root TEXT NOT NULL,
  organization TEXT NOT NULL,         -- the requesting principal's organisation: who may read it
  request_timestamp_us INTEGER NOT NULL,
  total_count INTEGER NOT NULL,
  success_count INTEGER NOT NULL,
  failure_count INTEGER NOT NULL,
  pending_count INTEGER NOT NULL,
  details TEXT NOT NULL               -- JSON: {"successes": [...], "failures": [...], "pendings": [...]}
) WITHOUT ROWID;
