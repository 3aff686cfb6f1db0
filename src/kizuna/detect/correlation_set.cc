// Kizuna.
#include "kizuna/detect/correlation_set.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace kizuna::detect {
namespace {

using pattern::ObsExpr;

// Appends the brackets of `e`. Recursion is bounded by the parser's nesting limit.
void CollectBrackets(const ObsExpr& e, std::vector<const ObsExpr*>& out) {
  if (e.kind == ObsExpr::Kind::kObservation) {
    out.push_back(&e);
    return;
  }
  for (const ObsExpr* operand : e.operands) CollectBrackets(*operand, out);
}

// The seconds of a WITHIN over the whole of `root` (through groups and other qualifiers
// above it), in microseconds rounded up; 0 if none.
int64_t WholeWithinUs(const ObsExpr& root) {
  const ObsExpr* e = &root;
  while (true) {
    if (e->kind == ObsExpr::Kind::kWithin) {
      const double seconds = e->first.kind == pattern::LiteralKind::kInt
                                 ? static_cast<double>(e->first.int_value)
                                 : e->first.float_value;
      return static_cast<int64_t>(std::ceil(seconds * 1e6));
    }
    if (e->kind != ObsExpr::Kind::kGroup && e->kind != ObsExpr::Kind::kStartStop) return 0;
    e = e->operands[0];
  }
}

}  // namespace

std::unique_ptr<const CorrelationSet> CorrelationSet::Build(const pattern::PatternSet& patterns,
                                                            size_t* skipped) {
  auto set = std::make_unique<CorrelationSet>(PrivateTag{});
  pattern::PatternSet::Builder builder;
  absl::flat_hash_map<std::string, uint32_t> bracket_index;  // by version and canonical text
  size_t left_out = 0;
  for (const size_t index : patterns.multi_observation()) {
    const pattern::Pattern& p = patterns.pattern(index);
    std::vector<const ObsExpr*> brackets;
    CollectBrackets(p.ast().root(), brackets);
    std::vector<uint32_t> mine;
    bool ok = true;
    for (const ObsExpr* b : brackets) {
      std::string text = pattern::ToString(*b);
      std::string key = std::to_string(static_cast<int>(p.version())) + text;
      auto it = bracket_index.find(key);
      if (it == bracket_index.end()) {
        pattern::CompileOptions options = p.options();
        auto compiled = pattern::Pattern::Compile(text, options);
        if (!compiled.ok() || !(*compiled)->requirements().single_observation) {
          ok = false;
          break;
        }
        for (const std::string& type : (*compiled)->requirements().root_types) {
          set->type_mask_ |= pattern::Observation::TypeBit(pattern::Observation::TypeHash(type));
        }
        it = bracket_index.emplace(key, static_cast<uint32_t>(builder.Add(std::move(*compiled))))
                 .first;
        set->parents_.emplace_back();
      }
      mine.push_back(it->second);
    }
    if (!ok) {
      ++left_out;
      continue;
    }
    const uint32_t pattern = static_cast<uint32_t>(index);
    for (uint32_t b : mine) {
      std::vector<uint32_t>& parents = set->parents_[b];
      if (parents.empty() || parents.back() != pattern) parents.push_back(pattern);
    }
    set->within_us_[pattern] = WholeWithinUs(p.ast().root());
  }
  if (skipped != nullptr) *skipped = left_out;
  if (set->within_us_.empty()) return nullptr;
  set->brackets_ = std::move(builder).Build();
  return set;
}

absl::Status CorrelationSet::Find(const pattern::Observation& observation, Scratch& scratch,
                                  std::vector<uint32_t>& patterns) const {
  if ((observation.type_mask() & type_mask_) == 0) return absl::OkStatus();
  scratch.brackets.clear();
  absl::Status st = brackets_->MatchOne(observation, scratch.set, scratch.brackets);
  const size_t from = patterns.size();
  for (size_t b : scratch.brackets) {
    patterns.insert(patterns.end(), parents_[b].begin(), parents_[b].end());
  }
  std::sort(patterns.begin() + static_cast<std::ptrdiff_t>(from), patterns.end());
  patterns.erase(std::unique(patterns.begin() + static_cast<std::ptrdiff_t>(from), patterns.end()),
                 patterns.end());
  return st;
}

int64_t CorrelationSet::WithinUs(uint32_t pattern) const {
  auto it = within_us_.find(pattern);
  return it == within_us_.end() ? 0 : it->second;
}

}  // namespace kizuna::detect
