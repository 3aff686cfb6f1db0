-- Kizuna store schema: the value rows of the search index written as runs
-- (store/sqlite/index_writer.h, docs/search.md). docs/formats/store.md describes every column.
--
-- search_value_runs: the rows of search_values that recent write transactions added, each
-- flush of a transaction as one run (numbered from 1), sorted within it: a write appends its
-- run at the end of this table instead of visiting pages all over search_values. When 16
-- runs are held, the write that adds the 16th merges them all into search_values, in key
-- order (each of its pages visited once), and empties this table. Queries read both. Rows
-- that are at least a 16th of search_values go straight into it (node_state
-- search_values_rows: the rows written there, which deletes do not lower).
-- IF NOT EXISTS: tests take a store back to older schemas and migrate it again.
CREATE TABLE IF NOT EXISTS search_value_runs (
  run INTEGER NOT NULL,
  value TEXT NOT NULL,
  entry INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (run, value, entry, kind, path)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_value_runs_by_entry ON search_value_runs(entry);
INSERT INTO node_state (key, value) SELECT 'search_values_rows', count(*) FROM search_values WHERE true
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
