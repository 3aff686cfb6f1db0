// Kizuna. The PostgreSQL store's full text: an entry's words as a tsvector, and a full-text
// query (TextQuery::match, FTS5's syntax) as a tsquery, with the words cut as SQLite's
// FTS5 tokenizer `unicode61 remove_diacritics 2` cuts them, so both stores find the same.
#pragma once

// Words are runs of letters and digits: ASCII letters and digits, and any other character
// except punctuation, spaces and symbols (Latin-1's, the general punctuation, arrows,
// mathematical and other symbols, CJK and full-width punctuation, emoji). They are folded as
// unicode61 folds them for Latin-1, Latin Extended-A, Greek and Cyrillic (lower case,
// diacritics removed, combining marks dropped); other scripts are kept as written (FTS5
// lowers them too: a difference for scripts with case outside those blocks). Words are cut at
// invalid UTF-8 and left out past 2,047 bytes (PostgreSQL's limit for one lexeme).
//
// Queries: FTS5's syntax (sqlite.org/fts5.html, "Full-text Query Syntax"): barewords and
// "quoted strings" (a phrase: its words in order), `*` after a phrase (its last word is a
// prefix), `+` joining phrases, implicit AND between phrases, AND, OR, NOT (binary), parentheses
// and column filters (`names:`, `text:`, `{names text}:`, `-names:`). NEAR groups and `^` are
// refused (InvalidArgument); so is bad syntax, with FTS5's message ("fts5: syntax error near
// ..."). Positions above 16,383 are kept as 16,383 (PostgreSQL's limit), so a phrase past that
// point of 64 KiB of text may match where FTS5 would not.
// Thread-safety: functions without state.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::store::pg_internal {

// Whether PostgreSQL's text type can hold `s`: valid UTF-8 without a NUL character.
bool IsPgText(std::string_view s);

// The words of `text`, folded, in order.
std::vector<std::string> TextWords(std::string_view text);

// The tsvector text (for `$n::tsvector`) of an entry's names (weight A) and other text
// (weight B, positions after the names' with a gap, so no phrase crosses from one to the other).
std::string TsVectorText(std::string_view names, std::string_view text);

// The tsquery text (for `$n::tsquery`) of the FTS5 query `match`; nullopt when the query can
// match nothing (a phrase without words, which FTS5 matches with no entry).
absl::StatusOr<std::optional<std::string>> TsQueryText(std::string_view match);

}  // namespace kizuna::store::pg_internal
