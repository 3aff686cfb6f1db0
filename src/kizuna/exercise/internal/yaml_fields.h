// Kizuna. Reading YAML mappings field by field, with file:line errors (scenario_parser.cc).
#pragma once

// A FieldReader walks a mapping, calls the handler registered for each key, refuses unknown
// keys and reports missing required ones; each typed read names the file, the line and the
// key path in its error ("s.yaml:12: teams[1].nation: expected ..."). yaml-cpp reports
// conversion failures by exception; they are caught here and become statuses.
//
// Thread-safety: a FieldReader is used by one thread.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace kizuna::exercise_internal {

class FieldReader {
 public:
  using Handler = std::function<absl::Status(const YAML::Node&, const std::string& path)>;
  using Fields = std::map<std::string, Handler, std::less<>>;

  explicit FieldReader(std::string_view file) : file_(file) {}

  // InvalidArgument "file:line: path: what", line of `node`.
  absl::Status Bad(const YAML::Node& node, std::string_view path, std::string_view what) const;

  // Walks mapping `map` at `path`; `required` keys must be present.
  absl::Status Walk(const YAML::Node& map, const std::string& path, const Fields& fields,
                    const std::vector<std::string_view>& required = {}) const;
  // Calls `item` with each element of sequence `list` and its path ("path[i]").
  absl::Status Each(
      const YAML::Node& list, const std::string& path,
      const std::function<absl::Status(const YAML::Node&, const std::string&)>& item) const;

  absl::Status String(const YAML::Node& node, const std::string& path, std::string& out) const;
  absl::Status Strings(const YAML::Node& node, const std::string& path,
                       std::vector<std::string>& out) const;
  absl::Status Integer(const YAML::Node& node, const std::string& path, int64_t min, int64_t max,
                       int64_t& out) const;
  absl::Status Number(const YAML::Node& node, const std::string& path, double min, double max,
                      double& out) const;
  absl::Status Bool(const YAML::Node& node, const std::string& path, bool& out) const;
  // A duration: seconds, or an integer with unit s, m, h, d; 0..max_seconds.
  absl::Status Duration(const YAML::Node& node, const std::string& path, int64_t max_seconds,
                        int64_t& out) const;
  // A mapping of names to numbers >= 0.
  absl::Status Weights(const YAML::Node& node, const std::string& path,
                       std::map<std::string, double>& out) const;

  // Handler shorthands for Walk.
  Handler Str(std::string& out) const;
  Handler StrList(std::vector<std::string>& out) const;
  Handler Seconds(int64_t max_seconds, int64_t& out) const;

 private:
  std::string file_;
};

// 1-based line of `node`.
int LineOf(const YAML::Node& node);

}  // namespace kizuna::exercise_internal
