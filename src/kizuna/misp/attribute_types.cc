// Kizuna.
#include "kizuna/misp/attribute_types.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"

namespace kizuna::misp {
namespace {

// Where an observable keeps the value of one MISP type.
enum class Slot : uint8_t { kValue, kName, kKey, kNumber, kHash };

struct TypeEntry {
  std::string_view misp_type;
  std::string_view category;  // the type's usual category, for attributes made on export
  std::string_view sco_type;  // "ip": ipv4-addr or ipv6-addr by the value
  Slot slot;
  std::string_view hash;  // the hashes key for Slot::kHash
};

// In export preference order: the first entry of an observable type and slot names it.
constexpr std::array<TypeEntry, 23> kTypes = {{
    {"ip-dst", "Network activity", "ip", Slot::kValue, ""},
    {"ip-src", "Network activity", "ip", Slot::kValue, ""},
    {"domain", "Network activity", "domain-name", Slot::kValue, ""},
    {"hostname", "Network activity", "domain-name", Slot::kValue, ""},
    {"url", "Network activity", "url", Slot::kValue, ""},
    {"uri", "Network activity", "url", Slot::kValue, ""},
    {"email-src", "Payload delivery", "email-addr", Slot::kValue, ""},
    {"email-dst", "Payload delivery", "email-addr", Slot::kValue, ""},
    {"email", "Payload delivery", "email-addr", Slot::kValue, ""},
    {"md5", "Payload delivery", "file", Slot::kHash, "MD5"},
    {"sha1", "Payload delivery", "file", Slot::kHash, "SHA-1"},
    {"sha256", "Payload delivery", "file", Slot::kHash, "SHA-256"},
    {"sha512", "Payload delivery", "file", Slot::kHash, "SHA-512"},
    {"sha3-256", "Payload delivery", "file", Slot::kHash, "SHA3-256"},
    {"ssdeep", "Payload delivery", "file", Slot::kHash, "SSDEEP"},
    {"tlsh", "Payload delivery", "file", Slot::kHash, "TLSH"},
    {"filename", "Payload delivery", "file", Slot::kName, ""},
    {"mac-address", "Network activity", "mac-addr", Slot::kValue, ""},
    {"mutex", "Artifacts dropped", "mutex", Slot::kName, ""},
    {"regkey", "Persistence mechanism", "windows-registry-key", Slot::kKey, ""},
    {"AS", "Network activity", "autonomous-system", Slot::kNumber, ""},
    {"x509-fingerprint-sha1", "Network activity", "x509-certificate", Slot::kHash, "SHA-1"},
    {"x509-fingerprint-sha256", "Network activity", "x509-certificate", Slot::kHash, "SHA-256"},
}};

const TypeEntry* FindType(std::string_view type) {
  for (const TypeEntry& e : kTypes) {
    if (e.misp_type == type) return &e;
  }
  return nullptr;
}

// The address family of an address or CIDR block: "ipv4-addr", "ipv6-addr", or empty.
std::string_view AddressType(std::string_view value) {
  std::string_view address = value.substr(0, value.find('/'));
  if (address.size() == value.size() - 1 || address.size() >= INET6_ADDRSTRLEN) return {};
  int bits = 0;  // of a block: checked against the family below
  if (address.size() < value.size()) {
    std::string_view digits = value.substr(address.size() + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size() || bits < 0 || bits > 128)
      return {};
  }
  std::string text(address);
  std::array<unsigned char, 16> buffer{};
  if (inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 && bits <= 32) return "ipv4-addr";
  if (inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) return "ipv6-addr";
  return {};
}

// An AS number from "AS64496" or "64496".
std::optional<uint32_t> AsNumber(std::string_view value) {
  if (value.size() > 2 && EqualsIgnoreCase(value.substr(0, 2), "as")) value.remove_prefix(2);
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return std::nullopt;
  return n;
}

bool PlainValue(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// The pattern path and the observable member of `entry`'s slot.
std::string PathOf(const TypeEntry& e) {
  switch (e.slot) {
    case Slot::kValue:
      return "value";
    case Slot::kName:
      return "name";
    case Slot::kKey:
      return "key";
    case Slot::kNumber:
      return "number";
    case Slot::kHash:
      return e.hash.find('-') == std::string_view::npos ? StrCat("hashes.", e.hash)
                                                        : StrCat("hashes.'", e.hash, "'");
  }
  return {};
}

// One part of an observable's JSON: `"member": value`.
std::string MemberJson(const TypeEntry& e, std::string_view value) {
  std::string out;
  switch (e.slot) {
    case Slot::kValue:
      out = "\"value\":";
      break;
    case Slot::kName:
      out = "\"name\":";
      break;
    case Slot::kKey:
      out = "\"key\":";
      break;
    case Slot::kNumber:
      return StrCat("\"number\":", *AsNumber(value));
    case Slot::kHash:
      out = "\"hashes\":{";
      AppendJsonString(e.hash, out);
      out += ':';
      AppendJsonString(value, out);
      return out + "}";
  }
  AppendJsonString(value, out);
  return out;
}

// A comparison of the pattern of `e` with `value`.
std::string Comparison(std::string_view sco_type, const TypeEntry& e, std::string_view value) {
  if (e.slot == Slot::kNumber) return StrCat(sco_type, ":number = ", *AsNumber(value));
  bool block = e.sco_type == "ip" && value.find('/') != std::string_view::npos;
  return StrCat(sco_type, ":", PathOf(e), block ? " ISSUBSET " : " = ", PatternString(value));
}

// The observable type of `e` for `value`, or empty when the value does not fit it.
std::string_view ScoTypeFor(const TypeEntry& e, std::string_view value) {
  if (!PlainValue(value)) return {};
  if (e.sco_type == "ip") return AddressType(value);
  if (e.slot == Slot::kNumber && !AsNumber(value)) return {};
  return e.sco_type;
}

// The deterministic id of an observable whose id-contributing JSON is `{members}`.
std::string ScoId(std::string_view sco_type, std::string_view members) {
  return StrCat(sco_type, "--", stix::UuidV5(stix::kScoNamespace, StrCat("{", members, "}")));
}

StixForm SingleForm(const TypeEntry& e, std::string_view value) {
  StixForm form;
  std::string_view sco_type = ScoTypeFor(e, value);
  if (sco_type.empty()) {
    form.reason = StrCat("a '", e.misp_type, "' value that its STIX observable cannot hold");
    return form;
  }
  form.pattern = StrCat("[", Comparison(sco_type, e, value), "]");
  std::string members = MemberJson(e, value);
  bool block = e.sco_type == "ip" && value.find('/') != std::string_view::npos;
  if (block) return form;  // an address block is a pattern only
  form.sco_id = ScoId(sco_type, members);
  form.sco_json = StrCat("{\"type\":\"", sco_type, "\",\"spec_version\":\"2.1\",\"id\":\"",
                         form.sco_id, "\",", members, "}");
  return form;
}

// filename|md5 and the like: one file with a name and a hash.
StixForm FileHashForm(const TypeEntry& hash, std::string_view name, std::string_view value) {
  StixForm form;
  if (!PlainValue(name) || !PlainValue(value)) return form;
  TypeEntry file_name = *FindType("filename");
  form.pattern = StrCat("[", Comparison("file", file_name, name), " AND ",
                        Comparison("file", hash, value), "]");
  // The id of a file takes its hashes and its name (STIX §6.7), hashes first in JCS order.
  std::string members = StrCat(MemberJson(hash, value), ",", MemberJson(file_name, name));
  form.sco_id = ScoId("file", members);
  form.sco_json = StrCat("{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"", form.sco_id,
                         "\",", members, "}");
  return form;
}

StixForm CompositeForm(std::string_view type, std::string_view value) {
  size_t bar = type.find('|'), split = value.find('|');
  StixForm form;
  if (split == std::string_view::npos) {
    form.reason = StrCat("a '", type, "' value without '|'");
    return form;
  }
  std::string_view left_type = type.substr(0, bar), right_type = type.substr(bar + 1);
  std::string_view left = value.substr(0, split), right = value.substr(split + 1);
  const TypeEntry* right_entry = FindType(right_type);
  if (left_type == "filename" && right_entry != nullptr && right_entry->sco_type == "file" &&
      right_entry->slot == Slot::kHash) {
    form = FileHashForm(*right_entry, left, right);
  } else if (type == "domain|ip" && !AddressType(right).empty() && PlainValue(left)) {
    form.pattern =
        StrCat("[domain-name:value = ", PatternString(left),
               " AND domain-name:resolves_to_refs[*].value = ", PatternString(right), "]");
  } else if ((type == "ip-dst|port" || type == "ip-src|port") && !AddressType(left).empty() &&
             AsNumber(right) && *AsNumber(right) <= 65535) {
    std::string_view side = left_type == "ip-dst" ? "dst" : "src";
    form.pattern = StrCat("[network-traffic:", side, "_ref.value = ", PatternString(left),
                          " AND network-traffic:", side, "_port = ", *AsNumber(right), "]");
  }
  if (form.pattern.empty()) form.reason = StrCat("no STIX mapping for type '", type, "'");
  return form;
}

}  // namespace

std::string PatternString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

StixForm StixFormOf(std::string_view type, std::string_view value) {
  if (type.find('|') != std::string_view::npos) return CompositeForm(type, value);
  const TypeEntry* entry = FindType(type);
  if (entry == nullptr) {
    StixForm form;
    form.reason = StrCat("no STIX mapping for type '", type, "'");
    return form;
  }
  return SingleForm(*entry, value);
}

std::optional<NativeAttribute> AttributeOfPattern(std::string_view pattern) {
  // [type:path = 'value'], the value without quotes or backslashes of its own.
  if (pattern.size() < 8 || pattern.front() != '[' || pattern.back() != ']') return std::nullopt;
  std::string_view body = pattern.substr(1, pattern.size() - 2);
  size_t colon = body.find(':'), eq = body.find(" = '");
  if (colon == std::string_view::npos || eq == std::string_view::npos || eq < colon ||
      body.back() != '\'') {
    return std::nullopt;
  }
  std::string_view sco_type = body.substr(0, colon), path = body.substr(colon + 1, eq - colon - 1);
  std::string_view value = body.substr(eq + 4, body.size() - eq - 5);
  if (value.find_first_of("'\\") != std::string_view::npos) return std::nullopt;
  for (const TypeEntry& e : kTypes) {
    bool type_fits =
        e.sco_type == sco_type || (e.sco_type == "ip" && AddressType(value) == sco_type);
    if (type_fits && e.slot != Slot::kNumber && PathOf(e) == path) {
      return NativeAttribute{std::string(e.misp_type), std::string(e.category), std::string(value)};
    }
  }
  return std::nullopt;
}

std::optional<NativeAttribute> AttributeOfObservable(const boost::json::object& sco) {
  const boost::json::value* type = sco.if_contains("type");
  if (type == nullptr || !type->is_string()) return std::nullopt;
  std::string_view sco_type = type->get_string();
  for (const TypeEntry& e : kTypes) {
    if (!(e.sco_type == sco_type ||
          (e.sco_type == "ip" && (sco_type == "ipv4-addr" || sco_type == "ipv6-addr")))) {
      continue;
    }
    const boost::json::value* v = nullptr;
    switch (e.slot) {
      case Slot::kValue:
        v = sco.if_contains("value");
        break;
      case Slot::kName:
        v = sco.if_contains("name");
        break;
      case Slot::kKey:
        v = sco.if_contains("key");
        break;
      case Slot::kNumber:
        v = sco.if_contains("number");
        break;
      case Slot::kHash:
        if (const boost::json::value* h = sco.if_contains("hashes");
            h != nullptr && h->is_object()) {
          v = h->get_object().if_contains(e.hash);
        }
        break;
    }
    if (v == nullptr) continue;
    std::string value = v->is_string()  ? std::string(v->get_string())
                        : v->is_int64() ? StrCat("AS", v->get_int64())
                                        : std::string();
    if (!value.empty())
      return NativeAttribute{std::string(e.misp_type), std::string(e.category), value};
  }
  return std::nullopt;
}

}  // namespace kizuna::misp
