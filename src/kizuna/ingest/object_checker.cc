// Kizuna.
#include "kizuna/ingest/object_checker.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/sco_id.h"

namespace kizuna::ingest {

namespace {

// A UUIDv5 id of an observable of which stix::IdIsOfValue holds must be the one of its value
// (see the header).
absl::Status CheckValueId(const stix::ObjectIndex& index, simdjson::dom::object object) {
  if (stix::UuidVersion(index.id) != '5') return absl::OkStatus();
  std::string_view value;
  if (object["value"].get_string().get(value) != simdjson::SUCCESS) return absl::OkStatus();
  std::string expected = stix::ScoIdFromValue(index.type, value);
  if (expected == index.id) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(index.id, ": id: a UUIDv5 that is not the one of its value, ", expected,
                                           ": a deterministic id names one observable (STIX 2.1 §2.9)"));
}

}  // namespace

absl::StatusOr<stix::ObjectIndex> ObjectChecker::Check(std::string_view json, stix::Padding padding) {
  KZ_ASSIGN_OR_RETURN(stix::ObjectIndex index, parser_.Parse(json, padding));
  if (stix::IdIsOfValue(index.type)) {  // whatever spec_version it claims
    KZ_RETURN_IF_ERROR(CheckValueId(index, parser_.last_object()));
    return index;
  }
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
