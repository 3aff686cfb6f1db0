// Kizuna.
#include "kizuna/detect/lookup/substring_set.h"

#include <algorithm>
#include <utility>

namespace kizuna::detect {
namespace {

uint64_t Edge(uint32_t node, unsigned char byte) { return (uint64_t{node} << 8) | byte; }

}  // namespace

SubstringSet::Builder::Builder() : best_{kNone} {}

void SubstringSet::Builder::Add(std::string_view needle, uint32_t value) {
  if (needle.empty()) return;
  ++needles_;
  uint32_t node = 0;
  for (const char c : needle) {
    auto [it, inserted] = next_.try_emplace(Edge(node, static_cast<unsigned char>(c)),
                                            static_cast<uint32_t>(best_.size()));
    if (inserted) best_.push_back(kNone);
    node = it->second;
  }
  best_[node] = std::min(best_[node], value);
}

SubstringSet SubstringSet::Builder::Build() && {
  SubstringSet set;
  if (needles_ == 0) return set;
  const size_t nodes = best_.size();
  // Children of each node, for the breadth-first walk.
  std::vector<std::vector<std::pair<unsigned char, uint32_t>>> children(nodes);
  for (const auto& [edge, child] : next_) {
    children[edge >> 8].emplace_back(static_cast<unsigned char>(edge & 0xFF), child);
  }
  set.next_ = std::move(next_);
  set.fail_.assign(nodes, 0);
  set.best_ = std::move(best_);
  std::vector<uint32_t> queue;
  queue.reserve(nodes);
  for (const auto& [byte, child] : children[0]) queue.push_back(child);
  for (size_t i = 0; i < queue.size(); ++i) {
    const uint32_t node = queue[i];
    // Parents come before children, so the failure node's best is final here.
    set.best_[node] = std::min(set.best_[node], set.best_[set.fail_[node]]);
    for (const auto& [byte, child] : children[node]) {
      uint32_t f = set.fail_[node];
      uint32_t target = 0;
      while (true) {
        auto it = set.next_.find(Edge(f, byte));
        if (it != set.next_.end()) {
          target = it->second;
          break;
        }
        if (f == 0) break;
        f = set.fail_[f];
      }
      set.fail_[child] = target;
      queue.push_back(child);
    }
  }
  return set;
}

uint32_t SubstringSet::Step(uint32_t node, unsigned char byte) const {
  while (true) {
    auto it = next_.find(Edge(node, byte));
    if (it != next_.end()) return it->second;
    if (node == 0) return 0;
    node = fail_[node];
  }
}

uint32_t SubstringSet::Smallest(std::string_view text) const {
  if (fail_.empty()) return kNone;
  uint32_t best = kNone;
  uint32_t node = 0;
  for (const char c : text) {
    node = Step(node, static_cast<unsigned char>(c));
    best = std::min(best, best_[node]);
  }
  return best;
}

}  // namespace kizuna::detect
