// Kizuna.
#include "kizuna/node/preflight.h"

#include <cstring>
#include <string_view>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/check.h"
#include "kizuna/store/data_dir.h"

namespace kizuna::node {
namespace {

// The key file is 32 octets; anything larger is not one.
constexpr uint64_t kMaxKeyFileBytes = 1024;

}  // namespace

absl::Status StartCheck(const std::string& data_dir, double budget_s, Clock& clock,
                        std::vector<std::string>& notes) {
  if (budget_s <= 0) return absl::OkStatus();
  store::CheckOptions options;
  options.level = store::CheckLevel::kQuick;
  options.time_budget_ms = static_cast<int64_t>(budget_s * 1000);
  options.max_problems_per_step = kStartCheckProblemsShown;
  KZ_ASSIGN_OR_RETURN(store::CheckReport report, store::CheckDataDir(data_dir, options, clock));
  std::string problems;
  for (const store::CheckStep& step : report.steps) {
    if (step.name == "modes") continue;  // opening the store closes them
    if (!step.complete) {
      notes.push_back(StrCat("the start check of ", report.database, " was cut short (", step.note,
                             "); `kizuna check` checks it all"));
    }
    for (const store::CheckProblem& p : step.problems) {
      StrAppend(problems, "\n  ", p.where.empty() ? "" : StrCat(p.where, ": "), p.what);
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::DataLossError(
      StrCat("the store ", report.database, " is damaged, so it is not served:", problems,
             "\nrun `kizuna check` for a full report, and restore kizuna.db from a backup"));
}

absl::StatusOr<taxii::NextTokens::Key> NextTokenKey(const std::string& data_dir, Random& random,
                                                    bool may_make) {
  std::string path = store::DataDirFile(data_dir, store::kNextTokenKeyFile);
  taxii::NextTokens::Key key;
  absl::StatusOr<simdjson::padded_string> existing = ReadFile(path, kMaxKeyFileBytes);
  if (existing.ok() && existing->size() == key.size()) {
    std::memcpy(key.data(), existing->data(), key.size());
    return key;
  }
  if (existing.ok() || existing.status().code() != absl::StatusCode::kNotFound) {
    return absl::DataLossError(StrCat(path, " is not a 32-byte key; remove it to make a new one"));
  }
  if (!may_make) {
    return absl::FailedPreconditionError(
        StrCat(path, " is missing: every process of a node on PostgreSQL signs `next` tokens with ",
               "the key `kizuna init --store` made; copy that file from the data directory the ",
               "node was set up in"));
  }
  random.Fill(key);
  KZ_RETURN_IF_ERROR(WriteFileAtomically(
      path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size())));
  return key;
}

}  // namespace kizuna::node
