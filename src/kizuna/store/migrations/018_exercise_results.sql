-- Kizuna store schema: results of joint exercises kept on this node, for the brief.
-- docs/formats/store.md describes every table and column; docs/exercise.md the behaviour.
--
-- `kizuna exercise record` keeps one scoreboard per exercise and collection. A result is
-- released like an object of that collection created by `created_by_ref` and marked with
-- `markings` (the scenario's TLP, and what the operator adds): the brief decides it with the
-- policy for its audience and shows nothing of a result it may not read.
CREATE TABLE exercise_results (
  pk INTEGER PRIMARY KEY,
  exercise TEXT NOT NULL,                    -- the scenario's meta.id
  collection INTEGER NOT NULL REFERENCES collections(pk),
  title TEXT NOT NULL,
  t0_us INTEGER NOT NULL,                    -- when it was held: t0 .. end
  end_us INTEGER NOT NULL,
  created_by_ref TEXT NOT NULL DEFAULT '',   -- the organisation it is released as; '' the operator
  markings TEXT NOT NULL,                    -- marking-definition ids, space-separated
  result TEXT NOT NULL,                      -- the scoreboard (kizuna exercise score --json)
  recorded_us INTEGER NOT NULL,
  UNIQUE (exercise, collection)
);
CREATE INDEX exercise_results_by_t0 ON exercise_results(t0_us);
