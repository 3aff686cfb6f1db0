// Kizuna. Share to use and releasability violations (score.h, docs/exercise.md).
#include <set>

#include "kizuna/base/strings.h"
#include "kizuna/exercise/score.h"
#include "kizuna/policy/tlp.h"

namespace kizuna::exercise {
namespace {

TeamScore* FindTeamScore(Scoreboard& b, std::string_view team) {
  for (TeamScore& t : b.teams) {
    if (t.team == team) return &t;
  }
  return nullptr;
}

}  // namespace

void Scorer::ScoreShareToUse(Scoreboard& b) const {
  for (StepScore& s : b.steps) {
    auto hit = hits_.find({s.team, s.id});
    if (hit == hits_.end() || hit->second.time_us == INT64_MAX) continue;
    // The first detection's indicators, in step order, the first received one counting.
    std::set<int> used(hit->second.first_indicators.begin(), hit->second.first_indicators.end());
    for (int i : used) {
      const Step& source = *steps_[i];
      if (source.team == s.team) continue;
      auto shared = shared_.find({s.team, source.id});
      if (shared == shared_.end() || shared->second.front() > hit->second.time_us) continue;
      s.shared_from = source.team, s.shared_step = source.id;
      if (TeamScore* t = FindTeamScore(b, s.team)) ++t->share_to_use;
      for (ShareScore& o : b.shares) {
        if (o.to != s.team || o.step != source.id || o.from != source.team) continue;
        double to_use = static_cast<double>(hit->second.time_us - shared->second.front()) / 1e6;
        if (!o.used || to_use < *o.time_to_use_s) o.time_to_use_s = to_use;
        o.used = true;
      }
      break;
    }
  }
}

void Scorer::ScoreViolations(Scoreboard& b) const {
  for (const auto& [key, received] : received_) {
    const auto& [to, indicator] = key;
    const Step& step = *steps_[indicator_step_.at(indicator)];
    if (step.team == to) continue;
    const SharingObjective* governing = nullptr;  // the first objective of the step
    const SharingObjective* naming = nullptr;     // the first that names `to`
    for (const SharingObjective& o : scenario_.sharing) {
      if (o.step != step.id) continue;
      if (governing == nullptr) governing = &o;
      if (naming == nullptr && std::find(o.to.begin(), o.to.end(), to) != o.to.end()) naming = &o;
    }
    if (governing == nullptr) continue;  // no objective says who may have it
    auto add = [&](const SharingObjective& o, std::string_view kind, std::string detail) {
      b.violations.push_back(
          {step.team, to, step.id, indicator, o.id, std::string(kind), std::move(detail)});
      if (TeamScore* t = FindTeamScore(b, step.team)) ++t->violations;
    };
    if (naming == nullptr) {
      add(*governing, "outside-audience", "");
      continue;
    }
    if (!received.markings) continue;  // a manifest: no markings to check
    std::optional<policy::TlpLevel> tlp;
    std::optional<std::set<std::string>> nations;
    for (const std::string& ref : *received.markings) {
      std::optional<policy::MarkingFacts> facts = policy::PredefinedMarking(ref);
      if (!facts) {
        auto def = marking_defs_.find(ref);
        if (def != marking_defs_.end()) facts = def->second;
      }
      if (!facts) continue;
      if (facts->tlp && (!tlp || *facts->tlp > *tlp)) tlp = facts->tlp;
      if (facts->releasable_to) {
        std::set<std::string> listed(facts->releasable_to->nations.begin(),
                                     facts->releasable_to->nations.end());
        if (!nations) {
          nations = std::move(listed);
        } else {  // several lists: only nations every one of them names may read it
          std::set<std::string> both;
          for (const std::string& n : *nations) {
            if (listed.contains(n)) both.insert(n);
          }
          nations = std::move(both);
        }
      }
    }
    std::optional<policy::TlpLevel> wanted = policy::ParseTlpName(naming->tlp);
    if (wanted && (!tlp || *tlp < *wanted)) {
      add(*naming, "tlp-below-objective",
          StrCat(tlp ? StrCat("TLP:", policy::TlpName(*tlp)) : std::string("no TLP"), " < TLP:",
                 policy::TlpName(*wanted)));
    }
    if (naming->releasable_to.empty()) continue;
    if (!nations) {
      add(*naming, "not-releasability-marked", "");
      continue;
    }
    for (const std::string& n : *nations) {
      if (std::find(naming->releasable_to.begin(), naming->releasable_to.end(), n) ==
          naming->releasable_to.end()) {
        add(*naming, "releasable-beyond", n);
      }
    }
  }
}

}  // namespace kizuna::exercise
