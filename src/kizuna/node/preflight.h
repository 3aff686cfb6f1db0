// Kizuna. What a node checks and prepares in its data directory before it serves.
#pragma once

// StartCheck runs SQLite's quick check of the store (store/check.h) within a time budget, so
// a node never serves a damaged store; NextTokenKey reads, or makes once, the key that
// authenticates TAXII `next` tokens, so tokens handed out stay valid across restarts.
//
//   std::vector<std::string> notes;
//   KZ_RETURN_IF_ERROR(StartCheck(data_dir, 30, SystemClock(), notes));
//   KZ_ASSIGN_OR_RETURN(taxii::NextTokens::Key key, NextTokenKey(data_dir, SecureRandom()));
//
// Thread-safety: stateless.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/taxii/next_token.h"

namespace kizuna::node {

// Problems the start check lists when it refuses a store.
inline constexpr size_t kStartCheckProblemsShown = 5;

// Runs SQLite's quick check of the store in `data_dir` for at most `budget_s` seconds (0: not
// at all). Returns DataLoss listing the first problems when the store is damaged. A check cut
// short by its budget is not an error: it adds a line saying so to `notes`.
absl::Status StartCheck(const std::string& data_dir, double budget_s, Clock& clock,
                        std::vector<std::string>& notes);

// Returns the key in `data_dir`'s kNextTokenKeyFile, making it with `random` when the file is
// absent and `may_make` (a node on PostgreSQL passes false: its processes must share the key
// `kizuna init --store` made, so a missing file is FailedPrecondition naming it). Returns
// DataLoss when the file holds anything but a 32-byte key (remove it to make a new one), or
// the error of reading or writing it.
absl::StatusOr<taxii::NextTokens::Key> NextTokenKey(const std::string& data_dir, Random& random,
                                                    bool may_make = true);

}  // namespace kizuna::node
