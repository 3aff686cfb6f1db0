// Kizuna.
#include "kizuna/misp/internal/galaxy.h"

#include <array>

#include "kizuna/base/strings.h"
#include "kizuna/misp/internal/json_util.h"

namespace kizuna::misp_internal {
namespace {

struct GalaxyType {
  std::string_view galaxy;
  std::string_view stix;
};

constexpr std::array<GalaxyType, 20> kGalaxyTypes = {{
    {"mitre-attack-pattern", "attack-pattern"},
    {"attack-pattern", "attack-pattern"},
    {"mitre-malware", "malware"},
    {"malware", "malware"},
    {"ransomware", "malware"},
    {"rat", "malware"},
    {"banker", "malware"},
    {"botnet", "malware"},
    {"stealer", "malware"},
    {"backdoor", "malware"},
    {"android", "malware"},
    {"exploit-kit", "malware"},
    {"mitre-tool", "tool"},
    {"tool", "tool"},
    {"mitre-intrusion-set", "intrusion-set"},
    {"intrusion-set", "intrusion-set"},
    {"threat-actor", "threat-actor"},
    {"microsoft-activity-group", "threat-actor"},
    {"mitre-course-of-action", "course-of-action"},
    {"course-of-action", "course-of-action"},
}};

bool IsAttackId(std::string_view id) {
  if (id.size() < 5 ||
      (id[0] != 'T' && id[0] != 'S' && id[0] != 'G' && id[0] != 'M' && id[0] != 'C'))
    return false;
  for (char c : id.substr(1)) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

// The strings of `meta[key]`: a list of strings, or one string.
std::vector<std::string_view> MetaStrings(const boost::json::object& cluster,
                                          std::string_view key) {
  std::vector<std::string_view> out;
  const boost::json::value* meta = cluster.if_contains("meta");
  if (meta == nullptr || !meta->is_object()) return out;
  const boost::json::value* v = meta->get_object().if_contains(key);
  if (v == nullptr) return out;
  if (v->is_string() && !v->get_string().empty()) out.push_back(v->get_string());
  if (v->is_array()) {
    for (const boost::json::value& item : v->get_array()) {
      if (item.is_string() && !item.get_string().empty()) out.push_back(item.get_string());
    }
  }
  return out;
}

boost::json::array StringArray(const std::vector<std::string_view>& items) {
  boost::json::array out;
  for (std::string_view s : items) out.emplace_back(s);
  return out;
}

// kill_chain_phases from "mitre-attack:enterprise-attack:initial-access" or
// "mitre-attack:initial-access".
boost::json::array KillChain(const boost::json::object& cluster) {
  boost::json::array out;
  for (std::string_view phase : MetaStrings(cluster, "kill_chain")) {
    size_t first = phase.find(':'), last = phase.rfind(':');
    if (first == std::string_view::npos || first == 0 || last + 1 == phase.size()) continue;
    out.push_back(boost::json::object{{"kill_chain_name", phase.substr(0, first)},
                                      {"phase_name", phase.substr(last + 1)}});
  }
  return out;
}

}  // namespace

std::string_view ClusterType(std::string_view galaxy_type) {
  for (const GalaxyType& g : kGalaxyTypes) {
    if (g.galaxy == galaxy_type) return g.stix;
  }
  return "x-misp-galaxy-cluster";
}

void AddClusterProperties(std::string_view type, std::string_view galaxy_type,
                          const boost::json::object& cluster, boost::json::object& sdo) {
  std::string_view value = StringAt(cluster, "value");
  if (value.empty()) value = StringAt(cluster, "tag_name");
  std::string name(value.empty() ? std::string_view("MISP galaxy cluster") : value);
  std::string attack_id;
  if (galaxy_type.starts_with("mitre-")) {
    for (std::string_view id : MetaStrings(cluster, "external_id")) {
      if (IsAttackId(id)) attack_id = std::string(id);
    }
    size_t dash = name.rfind(" - ");
    if (dash != std::string::npos && IsAttackId(std::string_view(name).substr(dash + 3))) {
      if (attack_id.empty()) attack_id = name.substr(dash + 3);
      name.resize(dash);
    }
  }
  sdo["name"] = name;
  if (std::string_view d = StringAt(cluster, "description"); !d.empty()) sdo["description"] = d;
  if (type == "malware") sdo["is_family"] = true;
  std::vector<std::string_view> synonyms = MetaStrings(cluster, "synonyms");
  if (!synonyms.empty() &&
      (type == "malware" || type == "tool" || type == "intrusion-set" || type == "threat-actor")) {
    sdo["aliases"] = StringArray(synonyms);
  }
  if (type == "attack-pattern" || type == "malware" || type == "tool") {
    boost::json::array phases = KillChain(cluster);
    if (!phases.empty()) sdo["kill_chain_phases"] = std::move(phases);
  }
  if (!attack_id.empty()) {
    sdo["external_references"] = boost::json::array{
        boost::json::object{{"source_name", "mitre-attack"}, {"external_id", attack_id}}};
  }
}

}  // namespace kizuna::misp_internal
