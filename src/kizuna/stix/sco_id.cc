// Kizuna.
#include "kizuna/stix/sco_id.h"

#include <array>
#include <algorithm>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/base/json_string.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/jcs.h"

namespace kizuna::stix {
namespace {

struct ScoContributors {
  std::string_view type;
  std::array<std::string_view, 8> properties;  // unused entries are empty
};

// ID-contributing properties per SCO type (STIX 2.1 §6, each type's "ID Contributing
// Properties"). process has none: its identifiers are always UUIDv4.
constexpr std::array<ScoContributors, 18> kContributors = {{
    {"artifact", {"hashes", "payload_bin"}},
    {"autonomous-system", {"number"}},
    {"directory", {"path"}},
    {"domain-name", {"value"}},
    {"email-addr", {"value"}},
    {"email-message", {"from_ref", "subject", "body"}},
    {"file", {"hashes", "name", "extensions", "parent_directory_ref"}},
    {"ipv4-addr", {"value"}},
    {"ipv6-addr", {"value"}},
    {"mac-addr", {"value"}},
    {"mutex", {"name"}},
    {"network-traffic",
     {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"}},
    {"process", {}},
    {"software", {"name", "cpe", "swid", "vendor", "version"}},
    {"url", {"value"}},
    {"user-account", {"account_type", "user_id", "account_login"}},
    {"windows-registry-key", {"key", "values"}},
    {"x509-certificate", {"hashes", "serial_number"}},
}};

constexpr std::array<std::string_view, 4> kHashPreference = {"MD5", "SHA-1", "SHA-256", "SHA-512"};

// Appends the one `hashes` entry that contributes, as a JCS object.
void AppendPreferredHash(simdjson::dom::object hashes, std::string& out) {
  for (std::string_view algorithm : kHashPreference) {
    simdjson::dom::element v;
    if (hashes[algorithm].get(v) == simdjson::SUCCESS) {
      out += '{';
      AppendJsonString(algorithm, out);
      out += ':';
      AppendCanonicalJson(v, out);
      out += '}';
      return;
    }
  }
  for (auto field : hashes) {
    out += '{';
    AppendJsonString(field.key, out);
    out += ':';
    AppendCanonicalJson(field.value, out);
    out += '}';
    return;
  }
  out += "{}";
}

}  // namespace

std::optional<std::string> DeterministicScoId(std::string_view type, simdjson::dom::object object) {
  const ScoContributors* entry = nullptr;
  for (const auto& c : kContributors) {
    if (c.type == type) entry = &c;
  }
  if (entry == nullptr) return std::nullopt;
  // Collect present contributors; JCS sorts member names, and all of these are ASCII, so
  // sorting the names bytewise is the UTF-16 order JCS asks for.
  std::vector<std::string_view> present;
  for (std::string_view name : entry->properties) {
    if (name.empty()) break;
    simdjson::dom::element v;
    if (object[name].get(v) == simdjson::SUCCESS) present.push_back(name);
  }
  if (present.empty()) return std::nullopt;
  std::sort(present.begin(), present.end());
  std::string name = "{";
  for (size_t i = 0; i < present.size(); ++i) {
    if (i) name += ',';
    AppendJsonString(present[i], name);
    name += ':';
    simdjson::dom::element v = object[present[i]].value_unsafe();
    simdjson::dom::object hashes;
    if (present[i] == "hashes" && v.get(hashes) == simdjson::SUCCESS) {
      AppendPreferredHash(hashes, name);
    } else {
      AppendCanonicalJson(v, name);
    }
  }
  name += '}';
  return StrCat(type, "--", UuidV5(kScoNamespace, name));
}

bool IdIsOfValue(std::string_view type) {
  for (const auto& c : kContributors) {
    if (c.type == type) return c.properties[0] == "value" && c.properties[1].empty();
  }
  return false;
}

std::string ScoIdFromValue(std::string_view type, std::string_view value) {
  std::string name = "{\"value\":";
  AppendJsonString(value, name);
  name += '}';
  return StrCat(type, "--", UuidV5(kScoNamespace, name));
}

}  // namespace kizuna::stix
