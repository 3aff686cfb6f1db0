// Kizuna.
#include "kizuna/pattern/pattern_set.h"

#include <algorithm>
#include <optional>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/internal/utf8.h"

namespace kizuna::pattern {
namespace {

using pattern_internal::CmpNode;
using pattern_internal::Program;
using pattern_internal::Test;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One necessary equality: the pattern cannot match unless the SCO of `type` has `value`
// (a string) at the simple path `keys`.
struct Guard {
  std::string type;
  std::vector<std::string> keys;
  std::string value;
};

// The guards of a comparison tree, or nullopt when it has none (it may match without any
// indexed equality holding).
std::optional<std::vector<Guard>> Guards(const Program& p, uint32_t index) {
  const CmpNode& node = p.cmp_nodes[index];
  if (node.kind == CmpNode::Kind::kTest) {
    const Test& t = p.tests[node.test];
    const bool equality = (t.op == CompareOp::kEq || t.op == CompareOp::kIn) && !t.negated;
    if (!equality || !t.path.simple || t.constants.empty()) return std::nullopt;
    // Binary properties also equal strings (as bytes); keep those out of the index.
    const std::string& last = t.path.steps.back().key;
    if (EndsWith(last, "_hex") || EndsWith(last, "_bin")) return std::nullopt;
    std::vector<Guard> out;
    for (const pattern_internal::Constant& c : t.constants) {
      if (c.kind != LiteralKind::kString) return std::nullopt;
      Guard g{t.path.object_type, {}, c.bytes};
      for (const pattern_internal::Step& s : t.path.steps) g.keys.push_back(s.key);
      out.push_back(std::move(g));
    }
    return out;
  }
  if (node.kind == CmpNode::Kind::kOr) {
    std::vector<Guard> all;
    for (uint32_t c : node.children) {
      std::optional<std::vector<Guard>> g = Guards(p, c);
      if (!g.has_value()) return std::nullopt;
      for (Guard& x : *g) all.push_back(std::move(x));
    }
    return all;
  }
  // AND: any guarded operand guards the whole; take the one with the fewest values.
  std::optional<std::vector<Guard>> best;
  for (uint32_t c : node.children) {
    std::optional<std::vector<Guard>> g = Guards(p, c);
    if (g.has_value() && (!best.has_value() || g->size() < best->size())) best = std::move(g);
  }
  return best;
}

}  // namespace

size_t PatternSet::Builder::Add(std::shared_ptr<const Pattern> pattern) {
  patterns_.push_back(std::move(pattern));
  return patterns_.size() - 1;
}

std::unique_ptr<const PatternSet> PatternSet::Builder::Build() && {
  auto set = std::make_unique<PatternSet>(PrivateTag{});
  set->patterns_ = std::move(patterns_);
  for (size_t i = 0; i < set->patterns_.size(); ++i) {
    const Pattern& pattern = *set->patterns_[i];
    const Program& program = pattern.program();
    if (!program.single_observation) {
      set->multi_.push_back(i);
      ++set->stats_.multi;
      continue;
    }
    std::vector<Guard> guards;
    bool guarded = true;
    for (uint32_t leaf : program.leaves) {
      std::optional<std::vector<Guard>> g = Guards(program, program.obs_nodes[leaf].cmp_root);
      if (!g.has_value()) {
        guarded = false;
        break;
      }
      for (Guard& x : *g) guards.push_back(std::move(x));
    }
    const uint32_t index = static_cast<uint32_t>(i);
    if (!guarded) {
      ++set->stats_.unguarded;
      set->unguarded_.emplace_back(index, program.type_mask);
      for (const std::string& type : pattern.requirements().root_types) {
        set->types_[type].unguarded.push_back(index);
      }
      continue;
    }
    ++set->stats_.guarded;
    for (Guard& g : guards) {
      TypeEntry& entry = set->types_[g.type];
      auto path = std::find_if(entry.paths.begin(), entry.paths.end(),
                               [&](const GuardPath& p) { return p.keys == g.keys; });
      if (path == entry.paths.end()) {
        entry.paths.push_back(GuardPath{g.keys, {}});
        path = entry.paths.end() - 1;
        ++set->stats_.guard_paths;
      }
      std::vector<uint32_t>& list = path->patterns_by_value[g.value];
      if (list.empty() || list.back() != index) list.push_back(index);
      ++set->stats_.guard_values;
    }
  }
  return set;
}

void PatternSet::Queue(uint32_t pattern, Scratch& scratch) const {
  if (scratch.seen[pattern] == scratch.epoch) return;
  scratch.seen[pattern] = scratch.epoch;
  scratch.candidates.push_back(pattern);
}

void PatternSet::QueueGuarded(const Observation& obs, Scratch& scratch) const {
  if (scratch.seen.size() != patterns_.size()) {
    scratch.seen.assign(patterns_.size(), 0);
    scratch.epoch = 0;
  }
  if (++scratch.epoch == 0) {
    std::fill(scratch.seen.begin(), scratch.seen.end(), 0);
    scratch.epoch = 1;
  }
  scratch.candidates.clear();
  for (size_t s = 0; s < obs.sco_count(); ++s) {
    auto type = types_.find(AbslView(obs.sco_type(s)));
    if (type == types_.end()) continue;
    for (const GuardPath& path : type->second.paths) {
      Observation::NodeId n = obs.sco_root(s);
      for (const std::string& key : path.keys) {
        n = obs.FindMember(n, key);
        if (n == Observation::kNoNode) break;
      }
      if (n == Observation::kNoNode) continue;
      std::string_view value;
      if (obs.kind(n) == ValueKind::kString) {
        value = obs.string_value(n);
      } else if (obs.kind(n) == ValueKind::kBinary) {
        // Bytes equal a string constant whose code points are those bytes.
        scratch.text.clear();
        for (char c : obs.string_value(n)) {
          pattern_internal::AppendUtf8(static_cast<uint8_t>(c), scratch.text);
        }
        value = scratch.text;
      } else {
        continue;
      }
      auto hit = path.patterns_by_value.find(AbslView(value));
      if (hit == path.patterns_by_value.end()) continue;
      for (uint32_t p : hit->second) Queue(p, scratch);
    }
  }
}

absl::Status PatternSet::MatchOne(const Observation& obs, Scratch& scratch,
                                  std::vector<size_t>& matched) const {
  QueueGuarded(obs, scratch);
  for (size_t s = 0; s < obs.sco_count(); ++s) {
    auto type = types_.find(AbslView(obs.sco_type(s)));
    if (type == types_.end()) continue;
    for (uint32_t p : type->second.unguarded) Queue(p, scratch);
  }
  std::sort(scratch.candidates.begin(), scratch.candidates.end());
  absl::Status first_error;
  for (uint32_t p : scratch.candidates) {
    absl::StatusOr<bool> hit = patterns_[p]->Matches(obs);
    if (!hit.ok()) {
      if (first_error.ok()) first_error = hit.status();
      continue;
    }
    if (*hit) matched.push_back(p);
  }
  return first_error;
}

absl::Status PatternSet::MatchBatch(std::span<const Observation* const> batch,
                                    Scratch& scratch, std::vector<Hit>& hits) const {
  // Guarded candidates of every observation, then all (pattern, observation) pairs in
  // pattern order, so each pattern's compiled form is fetched once for the batch.
  scratch.pairs.clear();
  for (size_t i = 0; i < batch.size(); ++i) {
    QueueGuarded(*batch[i], scratch);
    for (uint32_t p : scratch.candidates) scratch.pairs.emplace_back(p, static_cast<uint32_t>(i));
  }
  std::sort(scratch.pairs.begin(), scratch.pairs.end());
  const size_t first_hit = hits.size();
  absl::Status first_error;
  const auto evaluate = [&](uint32_t p, uint32_t i) {
    absl::StatusOr<bool> hit = patterns_[p]->Matches(*batch[i]);
    if (!hit.ok()) {
      if (first_error.ok()) first_error = hit.status();
    } else if (*hit) {
      hits.push_back(Hit{i, p});
    }
  };
  for (const auto& [p, i] : scratch.pairs) evaluate(p, i);
  for (const auto& [p, mask] : unguarded_) {
    for (size_t i = 0; i < batch.size(); ++i) {
      if ((batch[i]->type_mask() & mask) != 0) evaluate(p, static_cast<uint32_t>(i));
    }
  }
  std::sort(hits.begin() + static_cast<std::ptrdiff_t>(first_hit), hits.end(),
            [](const Hit& a, const Hit& b) {
              return a.observation != b.observation ? a.observation < b.observation
                                                    : a.pattern < b.pattern;
            });
  return first_error;
}

}  // namespace kizuna::pattern
