-- Kizuna store schema: the search index's durable cursor (store/search_index.h,
-- docs/search.md "Keeping it complete"). node_state search_index_cursor, when present, is the
-- last entry indexed: the entries after it wait for the catch-up (`kizuna index catch-up`,
-- the node's follower), and every write while it is present leaves its entries to it. No
-- table changes: the migration only keeps a Kizuna that knows no cursor (and would index
-- writes past it in their transaction, then see them indexed twice) from opening the store.
-- A store migrated here has no cursor: its index follows every write, as before.
DELETE FROM node_state WHERE key = 'search_index_cursor';
