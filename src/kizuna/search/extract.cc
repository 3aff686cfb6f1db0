// Kizuna.
#include "kizuna/search/extract.h"

#include <simdjson.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/search/normalize.h"
#include "kizuna/stix/object.h"

namespace kizuna::search {
namespace {

using store::EntryIndex;
using store::ValueKind;
using simdjson::dom::element;

// Properties of an observable that are no values of it.
bool SkippedObservableKey(std::string_view key) {
  return key == "id" || key == "type" || key == "spec_version" || key == "object_marking_refs" ||
         key == "granular_markings" || key == "defanged" || key == "extensions_version";
}

bool IsReferenceKey(std::string_view key) {
  return key == "source_ref" || key == "target_ref" || key == "sighting_of_ref" ||
         key == "observed_data_refs" || key == "object_refs" || key == "sample_refs";
}

// A property name as pattern object paths print it: quoted unless [A-Za-z0-9_]+.
void AppendKey(std::string& path, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (plain) {
    path.append(key);
  } else {
    StrAppend(path, "'", key, "'");
  }
}

class Collector {
 public:
  explicit Collector(EntryIndex& out) : out_(out) {}

  void Value(std::string_view raw, std::string_view path, ValueKind kind) {
    if (raw.empty() || raw.size() > store::kMaxIndexedValueBytes || path.size() > store::kMaxIndexedPathBytes ||
        out_.values.size() >= store::kMaxIndexedValues) {
      return;
    }
    std::string value = NormalizeValue(raw);
    if (value.empty()) return;
    if (kind != ValueKind::kReference) {
      if (std::optional<store::IndexedRange> block = ParseBlock(value);
          block && block->prefix < (block->v6 ? 128 : 32) && out_.ranges.size() < store::kMaxIndexedValues) {
        block->path = std::string(path);
        block->kind = kind;
        out_.ranges.push_back(std::move(*block));
      }
    }
    out_.values.push_back({std::move(value), std::string(path), kind});
  }

  static void Text(std::string& to, std::string_view text) {
    if (text.empty() || to.size() >= store::kMaxIndexedTextBytes) return;
    if (!to.empty()) to += '\n';
    to.append(text.substr(0, store::kMaxIndexedTextBytes - std::min(to.size(), store::kMaxIndexedTextBytes)));
  }

  // Every string leaf of an observable under `path`.
  void Observable(element value, std::string& path, int depth) {
    if (depth > 8) return;
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        Value(std::string_view(value.get_string().value_unsafe()), path, ValueKind::kObservable);
        break;
      case simdjson::dom::element_type::ARRAY: {
        simdjson::dom::array items = value.get_array().value_unsafe();
        for (element item : items) Observable(item, path, depth + 1);
        break;
      }
      case simdjson::dom::element_type::OBJECT: {
        simdjson::dom::object members = value.get_object().value_unsafe();
        for (auto [key, child] : members) {
          size_t size = path.size();
          path += '.';
          AppendKey(path, key);
          Observable(child, path, depth + 1);
          path.resize(size);
        }
        break;
      }
      default:
        break;
    }
  }

  void ObservableObject(std::string_view type, simdjson::dom::object object) {
    for (auto [key, child] : object) {
      if (SkippedObservableKey(key)) continue;
      if (key.ends_with("_ref") || key.ends_with("_refs")) continue;
      std::string path = StrCat(type, ":");
      AppendKey(path, key);
      if (type == "autonomous-system" && key == "number" && child.is_int64()) {
        Value(StrCat(child.get_int64().value_unsafe()), path, ValueKind::kObservable);
        continue;
      }
      Observable(child, path, 0);
    }
  }

  void Pattern(std::string_view text, std::string_view version) {
    pattern::ParseOptions options;
    if (version == "2.0") options.version = pattern::StixVersion::k20;
    absl::StatusOr<std::unique_ptr<pattern::Ast>> ast = pattern::Parse(text, options);
    if (ast.ok()) Observation((*ast)->root());
  }

  void Observation(const pattern::ObsExpr& expr) {
    if (expr.comparison != nullptr) Comparison(*expr.comparison);
    for (const pattern::ObsExpr* operand : expr.operands) Observation(*operand);
  }

  void Comparison(const pattern::CmpExpr& expr) {
    for (const pattern::CmpExpr* operand : expr.operands) Comparison(*operand);
    if (expr.kind != pattern::CmpExpr::Kind::kCompare || expr.negated) return;
    if (expr.op != pattern::CompareOp::kEq && expr.op != pattern::CompareOp::kIn &&
        expr.op != pattern::CompareOp::kIsSubset) {
      return;
    }
    std::string path = pattern::ToString(expr.path);
    for (const pattern::Literal& literal : expr.values) {
      if (literal.kind == pattern::LiteralKind::kString || literal.kind == pattern::LiteralKind::kHex) {
        Value(literal.text, path, ValueKind::kPattern);
      } else if (literal.kind == pattern::LiteralKind::kInt) {
        Value(StrCat(literal.int_value), path, ValueKind::kPattern);
      }
    }
  }

  void Common(simdjson::dom::object object) {
    for (auto [key, child] : object) {
      if (IsReferenceKey(key)) {
        if (child.is_string()) {
          Value(std::string_view(child.get_string().value_unsafe()), key, ValueKind::kReference);
        } else if (child.is_array()) {
          simdjson::dom::array ids = child.get_array().value_unsafe();
          for (element id : ids) {
            if (id.is_string()) Value(std::string_view(id.get_string().value_unsafe()), key, ValueKind::kReference);
          }
        }
      } else if (key == "external_references" && child.is_array()) {
        simdjson::dom::array refs = child.get_array().value_unsafe();
        for (element ref : refs) {
          std::string_view id, description;
          if (ref["external_id"].get(id) == simdjson::SUCCESS) Value(id, "external_id", ValueKind::kExternalId);
          if (ref["description"].get(description) == simdjson::SUCCESS) Text(out_.text, description);
        }
      } else if (key == "name") {
        if (child.is_string()) Text(out_.names, std::string_view(child.get_string().value_unsafe()));
      } else if (key == "aliases" || key == "x_mitre_aliases") {
        Strings(out_.names, child);
      } else if (key == "description" || key == "labels" || key == "goals" || key == "objective" ||
                 key == "abstract" || key == "content" || key == "explanation") {
        Strings(out_.text, child);
      } else if (key == "kill_chain_phases" && child.is_array()) {
        simdjson::dom::array phases = child.get_array().value_unsafe();
        for (element phase : phases) {
          std::string_view name;
          if (phase["phase_name"].get(name) == simdjson::SUCCESS) Text(out_.text, name);
        }
      }
    }
  }

 private:
  static void Strings(std::string& to, element value) {
    if (value.is_string()) {
      Text(to, std::string_view(value.get_string().value_unsafe()));
    } else if (value.is_array()) {
      simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        if (item.is_string()) Text(to, std::string_view(item.get_string().value_unsafe()));
      }
    }
  }

  EntryIndex& out_;
};

}  // namespace

void Extractor::Extract(std::string_view type, std::string_view json, EntryIndex& out) const {
  out.Clear();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) return;
  Collector collect(out);
  collect.Common(object);
  if (stix::KindOfType(type) == stix::ObjectKind::kSco) {
    collect.ObservableObject(type, object);
  } else if (type == "indicator") {
    std::string_view pattern, pattern_type = "stix", version;
    if (object["pattern_type"].get(pattern_type) != simdjson::SUCCESS) pattern_type = "stix";
    if (object["pattern_version"].get(version) != simdjson::SUCCESS) version = {};
    if (object["pattern"].get(pattern) == simdjson::SUCCESS && pattern_type == "stix") {
      collect.Pattern(pattern, version);
    }
  } else if (type == "observed-data") {
    simdjson::dom::object objects;
    if (object["objects"].get(objects) == simdjson::SUCCESS) {
      for (auto [key, sco] : objects) {
        simdjson::dom::object inner;
        std::string_view inner_type;
        if (sco.get(inner) == simdjson::SUCCESS && inner["type"].get(inner_type) == simdjson::SUCCESS) {
          collect.ObservableObject(inner_type, inner);
        }
      }
    }
  }
}

}  // namespace kizuna::search
