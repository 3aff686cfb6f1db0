// Kizuna. One costly computation at a time per user, a few on the node.
#include "kizuna/api/compute_gate.h"

#include <utility>

namespace kizuna::api {

ComputeGate::Pass::Pass(Pass&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), user_(std::move(other.user_)), refusal_(other.refusal_) {}

ComputeGate::Pass::~Pass() {
  if (gate_ != nullptr) gate_->Leave(user_);
}

ComputeGate::Pass ComputeGate::Enter(std::string user) {
  absl::MutexLock lock(&mu_);
  if (running_.contains(user)) return Pass(nullptr, std::move(user), Refusal::kUserBusy);
  if (running_.size() >= node_limit_) return Pass(nullptr, std::move(user), Refusal::kNodeBusy);
  running_.insert(user);
  return Pass(this, std::move(user), Refusal::kNone);
}

size_t ComputeGate::running() const {
  absl::MutexLock lock(&mu_);
  return running_.size();
}

void ComputeGate::Leave(const std::string& user) {
  absl::MutexLock lock(&mu_);
  running_.erase(user);
}

}  // namespace kizuna::api
