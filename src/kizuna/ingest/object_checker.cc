// Kizuna.
#include "kizuna/ingest/object_checker.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"

namespace kizuna::ingest {

absl::StatusOr<stix::ObjectIndex> ObjectChecker::Check(std::string_view json, stix::Padding padding) {
  KZ_ASSIGN_OR_RETURN(stix::ObjectIndex index, parser_.Parse(json, padding));
  if (index.type != "indicator") return index;
  simdjson::dom::object object = parser_.last_object();
  std::string_view type, text;
  const bool v20 = index.spec_version == stix::SpecVersion::k20;
  // STIX 2.0 indicators have no pattern_type: their pattern is always a STIX pattern.
  if (!v20 && (object["pattern_type"].get_string().get(type) != simdjson::SUCCESS || type != "stix")) {
    return index;
  }
  if (object["pattern"].get_string().get(text) != simdjson::SUCCESS) return index;  // validation's case
  pattern::ParseOptions options;
  options.version = v20 ? pattern::StixVersion::k20 : pattern::StixVersion::k21;
  options.limits = limits_;
  absl::StatusOr<std::unique_ptr<pattern::Ast>> ast = pattern::Parse(text, options);
  absl::Status valid = ast.ok() ? pattern::Validate(**ast, limits_) : ast.status();
  if (!valid.ok()) return absl::InvalidArgumentError(StrCat(index.id, ": pattern: ", View(valid.message())));
  return index;
}

}  // namespace kizuna::ingest
