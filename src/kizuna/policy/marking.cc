// Kizuna.
#include "kizuna/policy/marking.h"

#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"
#include "kizuna/policy/statement.h"
#include "kizuna/stix/exercise_marking.h"
#include "simdjson.h"

namespace kizuna::policy {
namespace {

using simdjson::SUCCESS;

MarkingFacts Tlp(TlpLevel level) {
  MarkingFacts f;
  f.tlp = level;
  f.understood = true;
  return f;
}

// Reads a JSON list of strings into `out` with `add`; false if it is not such a list or
// too long.
template <typename Add>
bool ReadList(simdjson::dom::element value, Add add) {
  simdjson::dom::array list;
  if (value.get_array().get(list) != SUCCESS || list.size() == 0 ||
      list.size() > identity::kMaxReleaseEntries) {
    return false;
  }
  for (simdjson::dom::element item : list) {
    std::string_view s;
    if (item.get_string().get(s) != SUCCESS || !add(s)) return false;
  }
  return true;
}

// Applies one `extensions` entry of a marking definition to `facts`; false when the
// extension is not one Kizuna understands, its content is malformed, or it says what another
// part of the definition already said (two TLP levels or two lists: neither is applied).
bool ApplyExtension(std::string_view id, simdjson::dom::element ext, MarkingFacts& facts) {
  simdjson::dom::object body;
  if (ext.get_object().get(body) != SUCCESS) return false;
  if (id == kTlp2ExtensionId) {
    std::string_view level;
    if (facts.tlp || body["tlp_2_0"].get_string().get(level) != SUCCESS) return false;
    std::optional<TlpLevel> tlp = ParseTlpName(level);
    if (!tlp) return false;
    facts.tlp = *tlp;
    return true;
  }
  if (id == kReleasableToExtensionId) {
    simdjson::dom::element list;
    if (facts.releasable_to || body["releasable_to"].get(list) != SUCCESS) return false;
    identity::Releasability r;
    if (!ReadList(list, [&](std::string_view s) { return identity::AddReleaseEntry(s, r).ok(); })) return false;
    facts.releasable_to = std::move(r);
    return true;
  }
  if (id == kRecipientsExtensionId) {
    simdjson::dom::element list;
    if (facts.recipients || body["recipients"].get(list) != SUCCESS) return false;
    std::vector<std::string> orgs;
    if (!ReadList(list, [&](std::string_view s) {
          if (!s.starts_with("identity--")) return false;
          orgs.emplace_back(s);
          return true;
        })) {
      return false;
    }
    facts.recipients = std::move(orgs);
    return true;
  }
  return false;
}

// Applies the legacy `definition_type` + `definition` form.
bool ApplyDefinition(std::string_view type, simdjson::dom::element definition, MarkingFacts& facts) {
  if (type == "tlp") {
    std::string_view level;
    if (definition["tlp"].get_string().get(level) != SUCCESS) return false;
    std::optional<TlpLevel> tlp = ParseTlpName(level);
    if (!tlp) return false;
    facts.tlp = *tlp;
    return true;
  }
  if (type == "statement") {
    std::string_view statement;
    if (definition["statement"].get_string().get(statement) != SUCCESS) return false;
    StatementMeaning meaning = ReadStatement(statement);
    switch (meaning.kind) {
      case StatementKind::kInformational:
        facts.informational = true;
        return true;
      case StatementKind::kReleasability:
        facts.releasable_to = std::move(meaning.release);
        return true;
      case StatementKind::kNotUnderstood:
        return false;
    }
  }
  return false;
}

}  // namespace

std::optional<MarkingFacts> PredefinedMarking(std::string_view marking_id) {
  if (std::optional<TlpLevel> level = PredefinedTlp(marking_id)) return Tlp(*level);
  if (marking_id == stix::kExerciseMarkingId) {
    MarkingFacts exercise;  // a statement that restricts nothing (rule 6 is the store's)
    exercise.informational = true;
    exercise.understood = true;
    return exercise;
  }
  return std::nullopt;
}

absl::StatusOr<MarkingFacts> ReadMarkingDefinition(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::padded_string text(json);
  simdjson::dom::object object;
  std::string_view type;
  if (parser.parse(text).get(root) != SUCCESS || root.get_object().get(object) != SUCCESS ||
      object["type"].get_string().get(type) != SUCCESS || type != "marking-definition") {
    return absl::InvalidArgumentError("not a marking-definition object");
  }
  std::string_view id;
  if (object["id"].get_string().get(id) == SUCCESS) {
    if (std::optional<MarkingFacts> predefined = PredefinedMarking(id)) return *predefined;
  }
  MarkingFacts facts;
  bool any = false, all_understood = true;
  std::string_view definition_type;
  simdjson::dom::element definition;
  if (object["definition_type"].get_string().get(definition_type) == SUCCESS) {
    any = true;
    all_understood = object["definition"].get(definition) == SUCCESS &&
                     ApplyDefinition(definition_type, definition, facts);
  }
  simdjson::dom::object extensions;
  if (object["extensions"].get_object().get(extensions) == SUCCESS) {
    for (simdjson::dom::key_value_pair ext : extensions) {
      any = true;
      if (!ApplyExtension(ext.key, ext.value, facts)) all_understood = false;
    }
  }
  facts.understood = any && all_understood;
  return facts;
}

}  // namespace kizuna::policy
