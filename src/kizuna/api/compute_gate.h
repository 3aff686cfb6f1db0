// Kizuna. A bound on costly computations a user can start: one at a time per user, and a few
// at a time on the node.
#pragma once

// The console's brief (brief_api.cc) computes a whole brief per request, seconds of CPU at
// a million objects: without a bound, one signed-in user could keep every core busy. Enter
// returns a Pass that holds a slot while the computation runs, or says why none was given:
// the user already runs one (answer 429), or `node_limit` run on the node (answer 503).
//
//   ComputeGate::Pass pass = gate.Enter(principal.user);
//   if (pass.refusal() != ComputeGate::Refusal::kNone) return Busy(pass.refusal());
//
// Thread-safety: safe for concurrent use; a Pass belongs to the thread that holds it.

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace kizuna::api {

class ComputeGate {
 public:
  enum class Refusal { kNone, kUserBusy, kNodeBusy };

  // A slot held until destruction (or move-from); refusal() says whether one was given.
  class Pass {
   public:
    Pass(Pass&& other) noexcept;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    Refusal refusal() const { return refusal_; }

   private:
    friend class ComputeGate;
    Pass(ComputeGate* gate, std::string user, Refusal refusal)
        : gate_(gate), user_(std::move(user)), refusal_(refusal) {}
    ComputeGate* gate_;  // null when refused or moved from
    std::string user_;
    Refusal refusal_;
  };

  // REQUIRES: node_limit >= 1.
  explicit ComputeGate(size_t node_limit) : node_limit_(node_limit) {}
  ComputeGate(const ComputeGate&) = delete;
  ComputeGate& operator=(const ComputeGate&) = delete;

  // A slot for `user`, unless it holds one already (kUserBusy) or node_limit are held
  // (kNodeBusy). The user's own refusal comes first.
  Pass Enter(std::string user);
  size_t running() const;

 private:
  void Leave(const std::string& user);

  const size_t node_limit_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> running_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::api
