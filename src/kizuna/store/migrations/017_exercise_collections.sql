-- Kizuna store schema: exercise collections (docs/exercise.md, docs/security.md rule 6).
-- docs/formats/store.md describes every table and column.
--
-- An exercise collection holds the data of a joint exercise. Only such a collection accepts
-- objects carrying the exercise marking; sync carries its objects only to peers that take part
-- in the exercise. Set when the collection is created, never changed: turning a collection
-- into an exercise one, or back, would mix exercise data with real intelligence.
ALTER TABLE collections ADD COLUMN exercise INTEGER NOT NULL DEFAULT 0;
