// Kizuna.
#include "kizuna/exercise/internal/yaml_fields.h"

#include <set>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/scenario.h"
#include "kizuna/exercise/scenario_parser.h"

namespace kizuna::exercise_internal {

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

absl::Status FieldReader::Bad(const YAML::Node& node, std::string_view path,
                              std::string_view what) const {
  return absl::InvalidArgumentError(StrCat(file_, ":", LineOf(node), ": ", path, ": ", what));
}

absl::Status FieldReader::Walk(const YAML::Node& map, const std::string& path, const Fields& fields,
                               const std::vector<std::string_view>& required) const {
  if (!map.IsMap()) return Bad(map, path, "expected a mapping of keys to values");
  std::set<std::string, std::less<>> seen;
  for (const auto& item : map) {
    if (!item.first.IsScalar()) return Bad(item.first, path, "expected a key");
    const std::string& key = item.first.Scalar();
    std::string key_path = path.empty() ? key : StrCat(path, ".", key);
    auto it = fields.find(key);
    if (it == fields.end()) {
      std::string known;
      for (const auto& [name, handler] : fields) StrAppend(known, known.empty() ? "" : ", ", name);
      return Bad(item.first, key_path, StrCat("unknown key (known: ", known, ")"));
    }
    if (!seen.insert(key).second) return Bad(item.first, key_path, "given twice");
    KZ_RETURN_IF_ERROR(it->second(item.second, key_path));
  }
  for (std::string_view key : required) {
    if (!seen.contains(key))
      return Bad(map, path.empty() ? std::string(key) : StrCat(path, ".", key), "missing");
  }
  return absl::OkStatus();
}

absl::Status FieldReader::Each(
    const YAML::Node& list, const std::string& path,
    const std::function<absl::Status(const YAML::Node&, const std::string&)>& item) const {
  if (!list.IsSequence()) return Bad(list, path, "expected a list");
  if (list.size() > exercise::kMaxScenarioItems) {
    return Bad(list, path, StrCat("more than ", exercise::kMaxScenarioItems, " items"));
  }
  for (size_t i = 0; i < list.size(); ++i)
    KZ_RETURN_IF_ERROR(item(list[i], StrCat(path, "[", i, "]")));
  return absl::OkStatus();
}

absl::Status FieldReader::String(const YAML::Node& node, const std::string& path,
                                 std::string& out) const {
  if (!node.IsScalar()) return Bad(node, path, "expected a single value");
  out = node.Scalar();
  return absl::OkStatus();
}

absl::Status FieldReader::Strings(const YAML::Node& node, const std::string& path,
                                  std::vector<std::string>& out) const {
  if (node.IsScalar()) {
    out = {node.Scalar()};
    return absl::OkStatus();
  }
  out.clear();
  return Each(node, path, [&](const YAML::Node& n, const std::string& p) {
    KZ_RETURN_IF_ERROR(String(n, p, out.emplace_back()));
    return absl::OkStatus();
  });
}

absl::Status FieldReader::Integer(const YAML::Node& node, const std::string& path, int64_t min,
                                  int64_t max, int64_t& out) const {
  if (!node.IsScalar()) return Bad(node, path, "expected a number");
  try {
    out = node.as<int64_t>();
  } catch (const YAML::Exception&) {
    return Bad(node, path, StrCat("expected a whole number, not '", node.Scalar(), "'"));
  }
  if (out < min || out > max) return Bad(node, path, StrCat("must be ", min, "..", max));
  return absl::OkStatus();
}

absl::Status FieldReader::Number(const YAML::Node& node, const std::string& path, double min,
                                 double max, double& out) const {
  if (!node.IsScalar()) return Bad(node, path, "expected a number");
  try {
    out = node.as<double>();
  } catch (const YAML::Exception&) {
    return Bad(node, path, StrCat("expected a number, not '", node.Scalar(), "'"));
  }
  if (!(out >= min && out <= max)) return Bad(node, path, StrCat("must be ", min, "..", max));
  return absl::OkStatus();
}

absl::Status FieldReader::Bool(const YAML::Node& node, const std::string& path, bool& out) const {
  if (!node.IsScalar()) return Bad(node, path, "expected true or false");
  try {
    out = node.as<bool>();
  } catch (const YAML::Exception&) {
    return Bad(node, path, "expected true or false");
  }
  return absl::OkStatus();
}

absl::Status FieldReader::Duration(const YAML::Node& node, const std::string& path,
                                   int64_t max_seconds, int64_t& out) const {
  if (!node.IsScalar()) return Bad(node, path, "expected a duration (90, 90s, 10m, 2h, 1d)");
  absl::StatusOr<int64_t> seconds = exercise::ParseDuration(node.Scalar());
  if (!seconds.ok()) return Bad(node, path, View(seconds.status().message()));
  if (*seconds > max_seconds)
    return Bad(node, path, StrCat("must be at most ", max_seconds, " seconds"));
  out = *seconds;
  return absl::OkStatus();
}

absl::Status FieldReader::Weights(const YAML::Node& node, const std::string& path,
                                  std::map<std::string, double>& out) const {
  if (!node.IsMap()) return Bad(node, path, "expected a mapping of names to numbers");
  for (const auto& item : node) {
    if (!item.first.IsScalar()) return Bad(item.first, path, "expected a name");
    std::string key_path = StrCat(path, ".", item.first.Scalar());
    KZ_RETURN_IF_ERROR(Number(item.second, key_path, 0, 1e6, out[item.first.Scalar()]));
  }
  return absl::OkStatus();
}

FieldReader::Handler FieldReader::Str(std::string& out) const {
  return [this, &out](const YAML::Node& n, const std::string& p) { return String(n, p, out); };
}
FieldReader::Handler FieldReader::StrList(std::vector<std::string>& out) const {
  return [this, &out](const YAML::Node& n, const std::string& p) { return Strings(n, p, out); };
}
FieldReader::Handler FieldReader::Seconds(int64_t max_seconds, int64_t& out) const {
  return [this, max_seconds, &out](const YAML::Node& n, const std::string& p) {
    return Duration(n, p, max_seconds, out);
  };
}

}  // namespace kizuna::exercise_internal
