// Kizuna.
#include "kizuna/pattern/pattern.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/pattern/internal/evaluator.h"
#include "kizuna/pattern/internal/program.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"

namespace kizuna::pattern {
namespace {

void CollectPaths(const CmpExpr& e, std::vector<std::string>& types,
                  std::vector<std::string>& paths) {
  if (e.kind == CmpExpr::Kind::kCompare) {
    types.emplace_back(e.path.object_type);
    paths.push_back(ToString(e.path));
    return;
  }
  for (const CmpExpr* op : e.operands) CollectPaths(*op, types, paths);
}

void CollectPaths(const ObsExpr& e, std::vector<std::string>& types,
                  std::vector<std::string>& paths) {
  if (e.kind == ObsExpr::Kind::kObservation) {
    CollectPaths(*e.comparison, types, paths);
    return;
  }
  for (const ObsExpr* op : e.operands) CollectPaths(*op, types, paths);
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

Pattern::Pattern(PrivateTag) {}
Pattern::~Pattern() = default;

absl::StatusOr<std::unique_ptr<const Pattern>> Pattern::Compile(std::string_view text,
                                                                const CompileOptions& options) {
  auto pattern = std::make_unique<Pattern>(PrivateTag{});
  pattern->options_ = options;
  KZ_ASSIGN_OR_RETURN(pattern->ast_,
                      Parse(text, ParseOptions{options.version, options.limits}));
  KZ_RETURN_IF_ERROR(Validate(*pattern->ast_, options.limits));
  KZ_ASSIGN_OR_RETURN(pattern->program_,
                      pattern_internal::CompileProgram(*pattern->ast_, options.limits));
  Requirements& r = pattern->requirements_;
  CollectPaths(pattern->ast_->root(), r.root_types, r.paths);
  SortUnique(r.root_types);
  SortUnique(r.paths);
  r.single_observation = pattern->program_->single_observation;
  return std::unique_ptr<const Pattern>(std::move(pattern));
}

absl::StatusOr<MatchResult> Pattern::Match(
    std::span<const Observation* const> observations) const {
  return pattern_internal::FastMatch(*program_, observations);
}

absl::StatusOr<MatchResult> Pattern::Match(std::span<const Observation> observations) const {
  std::vector<const Observation*> pointers;
  pointers.reserve(observations.size());
  for (const Observation& o : observations) pointers.push_back(&o);
  return Match(std::span<const Observation* const>(pointers));
}

absl::StatusOr<bool> Pattern::Matches(const Observation& observation) const {
  return pattern_internal::FastMatchOne(*program_, observation);
}

}  // namespace kizuna::pattern
