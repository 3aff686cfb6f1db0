// Kizuna.
#include "kizuna/ingest/tally.h"

namespace kizuna::ingest {

std::string_view WithoutId(std::string_view id, std::string_view reason) {
  if (!id.empty() && reason.size() > id.size() + 2 && reason.starts_with(id) && reason.substr(id.size(), 2) == ": ") {
    reason.remove_prefix(id.size() + 2);
  }
  return reason;
}

void Tally::Reject(std::string where, std::string id, std::string reason) {
  ++rejected;
  reason = std::string(WithoutId(id, reason));
  if (rejections.size() < max_kept) rejections.push_back({std::move(where), std::move(id), std::move(reason)});
}

bool Tally::Count(const store::AddResult& result) {
  if (result.outcome == store::AddOutcome::kAdded) ++added;
  if (result.outcome == store::AddOutcome::kAlreadyPresent) ++already_present;
  return result.outcome == store::AddOutcome::kAdded || result.outcome == store::AddOutcome::kAlreadyPresent;
}

std::string_view RejectionReason(const store::AddResult& result) {
  if (result.outcome == store::AddOutcome::kRefused || !result.reason.empty()) return result.reason;
  return store::kConflictReason;
}

}  // namespace kizuna::ingest
