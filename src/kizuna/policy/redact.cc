// Kizuna.
#include "kizuna/policy/redact.h"

#include <fmt/format.h>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "simdjson.h"

namespace kizuna::policy {
namespace {

using simdjson::SUCCESS;
using Path = std::vector<std::string_view>;

// The property names of `selector` up to its first list index: what redacting it removes.
absl::StatusOr<Path> CutOf(std::string_view text) {
  Path cut;
  std::string_view selector = text;
  while (!selector.empty()) {
    size_t dot = selector.find('.');
    std::string_view step = selector.substr(0, dot);
    if (step.empty()) break;
    if (step.front() == '[') break;
    cut.push_back(step);
    selector = dot == std::string_view::npos ? std::string_view() : selector.substr(dot + 1);
  }
  if (cut.empty()) return absl::InvalidArgumentError(StrCat("selector '", text.substr(0, 200), "' selects no property"));
  return cut;
}

// True if `path` starts with all of `prefix`.
bool StartsWith(const Path& path, const Path& prefix) {
  if (path.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (path[i] != prefix[i]) return false;
  }
  return true;
}

Path Steps(std::string_view selector) {
  Path out;
  while (!selector.empty()) {
    size_t dot = selector.find('.');
    out.push_back(selector.substr(0, dot));
    selector = dot == std::string_view::npos ? std::string_view() : selector.substr(dot + 1);
  }
  return out;
}

class Writer {
 public:
  explicit Writer(std::vector<Path> cuts) : cuts_(std::move(cuts)) {}

  bool Removed(const Path& path) const {
    for (const Path& c : cuts_) {
      if (StartsWith(path, c)) return true;
    }
    return false;
  }
  bool AboveCut(const Path& path) const {
    for (const Path& c : cuts_) {
      if (c.size() > path.size() && StartsWith(c, path)) return true;
    }
    return false;
  }

  void Value(simdjson::dom::element e, std::string& out) {
    switch (e.type()) {
      case simdjson::dom::element_type::ARRAY: {
        out += '[';
        bool first = true;
        simdjson::dom::array items = e.get_array().value_unsafe();  // named: the loop must not
                                                                     // iterate a temporary
        for (simdjson::dom::element item : items) {
          if (!first) out += ',';
          first = false;
          Value(item, out);
        }
        out += ']';
        break;
      }
      case simdjson::dom::element_type::OBJECT: {
        out += '{';
        bool first = true;
        simdjson::dom::object members = e.get_object().value_unsafe();
        for (simdjson::dom::key_value_pair kv : members) {
          if (!first) out += ',';
          first = false;
          AppendJsonString(kv.key, out);
          out += ':';
          Value(kv.value, out);
        }
        out += '}';
        break;
      }
      case simdjson::dom::element_type::INT64: StrAppend(out, e.get_int64().value_unsafe()); break;
      case simdjson::dom::element_type::UINT64: StrAppend(out, e.get_uint64().value_unsafe()); break;
      case simdjson::dom::element_type::DOUBLE: StrAppend(out, e.get_double().value_unsafe()); break;
      case simdjson::dom::element_type::STRING: AppendJsonString(e.get_string().value_unsafe(), out); break;
      case simdjson::dom::element_type::BOOL: out += e.get_bool().value_unsafe() ? "true" : "false"; break;
      case simdjson::dom::element_type::NULL_VALUE: out += "null"; break;
    }
  }

  // Writes the members of `object` at `path` that survive; returns how many were written.
  size_t Members(simdjson::dom::object object, Path& path, std::string& out) {
    size_t written = 0;
    for (simdjson::dom::key_value_pair kv : object) {
      path.push_back(kv.key);
      std::string member;
      bool keep = Member(kv.value, path, path.size() == 1 && kv.key == "granular_markings", member);
      path.pop_back();
      if (!keep) continue;
      if (written++) out += ',';
      AppendJsonString(kv.key, out);
      out += ':';
      out += member;
    }
    return written;
  }

 private:
  bool Member(simdjson::dom::element value, Path& path, bool granular, std::string& out) {
    if (Removed(path)) return false;
    if (granular) return GranularMarkings(value, out);
    simdjson::dom::object inner;
    if (AboveCut(path) && value.get_object().get(inner) == SUCCESS) {
      out += '{';
      size_t n = Members(inner, path, out);
      out += '}';
      return n > 0 || inner.size() == 0;
    }
    Value(value, out);
    return true;
  }

  // Keeps the selectors that do not point into removed content, and the markings left with any.
  bool GranularMarkings(simdjson::dom::element value, std::string& out) {
    simdjson::dom::array list;
    if (value.get_array().get(list) != SUCCESS) {
      Value(value, out);
      return true;
    }
    size_t kept = 0;
    out += '[';
    for (simdjson::dom::element item : list) {
      simdjson::dom::object marking;
      simdjson::dom::array selectors;
      if (item.get_object().get(marking) != SUCCESS || marking["selectors"].get_array().get(selectors) != SUCCESS) {
        continue;
      }
      std::string kept_selectors;
      for (simdjson::dom::element s : selectors) {
        std::string_view text;
        if (s.get_string().get(text) != SUCCESS || Removed(Steps(text))) continue;
        if (!kept_selectors.empty()) kept_selectors += ',';
        AppendJsonString(text, kept_selectors);
      }
      if (kept_selectors.empty()) continue;
      if (kept++) out += ',';
      out += '{';
      bool first = true;
      for (simdjson::dom::key_value_pair kv : marking) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(kv.key, out);
        out += ':';
        if (kv.key == "selectors") {
          StrAppend(out, "[", kept_selectors, "]");
        } else {
          Value(kv.value, out);
        }
      }
      out += '}';
    }
    out += ']';
    return kept > 0;
  }

  std::vector<Path> cuts_;
};

absl::StatusOr<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser, const simdjson::padded_string& text) {
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(text).get(root) != SUCCESS || root.get_object().get(object) != SUCCESS) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  return object;
}

}  // namespace

absl::StatusOr<std::vector<GranularMarking>> ReadGranularMarkings(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  absl::StatusOr<simdjson::dom::object> object = ParseObject(parser, text);
  if (!object.ok()) return object.status();
  std::vector<GranularMarking> out;
  simdjson::dom::array list;
  simdjson::error_code absent = (*object)["granular_markings"].get_array().get(list);
  if (absent == simdjson::NO_SUCH_FIELD) return out;
  if (absent != SUCCESS) return absl::InvalidArgumentError("granular_markings: expected a list");
  for (simdjson::dom::element item : list) {
    std::string_view ref;
    simdjson::dom::array selectors;
    if (item["marking_ref"].get_string().get(ref) != SUCCESS) continue;  // a language marking
    if (item["selectors"].get_array().get(selectors) != SUCCESS) {
      return absl::InvalidArgumentError("granular_markings: a marking without selectors");
    }
    GranularMarking& g = out.emplace_back();
    g.marking_ref = std::string(ref);
    for (simdjson::dom::element s : selectors) {
      std::string_view selector;
      if (s.get_string().get(selector) != SUCCESS) return absl::InvalidArgumentError("granular_markings: a selector is not a string");
      g.selectors.emplace_back(selector);
    }
  }
  return out;
}

absl::StatusOr<std::string> Redact(std::string_view json, std::span<const std::string> selectors) {
  std::vector<Path> cuts;
  for (const std::string& s : selectors) {
    absl::StatusOr<Path> cut = CutOf(s);
    if (!cut.ok()) return cut.status();
    cuts.push_back(std::move(*cut));
  }
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  absl::StatusOr<simdjson::dom::object> object = ParseObject(parser, text);
  if (!object.ok()) return object.status();
  Writer writer(std::move(cuts));
  std::string out = "{";
  Path path;
  writer.Members(*object, path, out);
  out += '}';
  return out;
}

}  // namespace kizuna::policy
