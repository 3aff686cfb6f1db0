-- Kizuna store schema: the history of each peer mapping's sync passes, for the brief's
-- federation health (docs/brief.md, "federation"). docs/formats/store.md describes every column.
--
-- Consecutive passes of a mapping with the same outcome make one run: a run of successes
-- (ok = 1) lasts until a pass fails; a run of failures (ok = 0) until a pass succeeds or the
-- UTC day ends, so the failures of a day are exact and a long outage is a row a day. An
-- outage is the time from the last success before a failed pass to the next success. Runs
-- that ended over 800 days ago are deleted when a run begins.
CREATE TABLE sync_runs (
  pk INTEGER PRIMARY KEY,
  peer TEXT NOT NULL REFERENCES peers(name) ON DELETE CASCADE,
  local_collection TEXT NOT NULL,        -- collections.id, as in peer_mappings
  remote_collection TEXT NOT NULL,
  ok INTEGER NOT NULL,                   -- 1: successful passes; 0: failed passes
  first_us INTEGER NOT NULL,             -- the run's first and last pass
  last_us INTEGER NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0    -- failed passes in the run (0 when ok)
);
CREATE INDEX sync_runs_by_mapping ON sync_runs(peer, local_collection, remote_collection, pk);
CREATE INDEX sync_runs_by_end ON sync_runs(last_us);
