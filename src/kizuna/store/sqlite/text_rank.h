// Kizuna. The ranking of full-text matches (search_text, FTS5): kizuna_rank(), FTS5's bm25
// with each word's weight (its IDF) computed without walking every entry that carries it.
//
// FTS5's bm25() computes, once per query, the number of entries holding each phrase of the
// query by walking the phrase's whole doclist: a word every object carries costs one step per
// entry held (1,000,000 at 1,000,000 objects), even when one entry matches the query.
// kizuna_rank() scores each match as bm25 does (k1 = 1.2, b = 0.75, every column weighted 1,
// the entry's length from FTS5's docsize table, read through one blob handle per query moved
// from row to row, which costs less than FTS5's statement per row) with these weights:
//   - a query of one phrase: weight 1. bm25 multiplies the score of every match by the same
//     IDF, so the order of the matches is bm25's exactly;
//   - several phrases: each phrase's IDF, log((N - n + 0.5) / (n + 0.5)) floored at 1e-6 as in
//     bm25, from n counted up to kMaxCountedPerPhrase: a phrase in more entries than that
//     weighs as one in exactly that many (more than bm25 gives it), so rarer words still
//     weigh more than it, and it no less than any rarer word.
// Ranks are negative, best first when sorted ascending (as FTS5's rank).
//
// Thread-safety: registered per connection; a connection is used by one thread at a time.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

// Entries of a phrase counted at most for its weight (see above).
inline constexpr int64_t kMaxCountedPerPhrase = 20'000;

// Registers kizuna_rank() with the FTS5 of connection `db`; used as
// `... WHERE search_text MATCH ?1 AND rank MATCH 'kizuna_rank()' ORDER BY rank`.
absl::Status AddTextRankFunction(Connection& db);

}  // namespace kizuna::store::sqlite_internal
