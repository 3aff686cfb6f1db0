// Kizuna. MISP attribute types and what they are in STIX 2.1: a pattern, an observable.
#pragma once

// One table (attribute_types.cc, docs/misp.md) says, for each MISP attribute type Kizuna
// maps, which STIX Cyber-observable carries its value and under which property:
//
//   ip-dst 198.51.100.7      [ipv4-addr:value = '198.51.100.7']      {"type":"ipv4-addr",...}
//   md5 d41d8cd9...          [file:hashes.MD5 = 'd41d8cd9...']       {"type":"file","hashes":...}
//   filename|md5 a.exe|d41d  [file:name = 'a.exe' AND file:hashes.MD5 = 'd41d...']
//   domain|ip x.example|192.0.2.1  a pattern only (no single observable)
//
// The import uses it both ways: a `to_ids` attribute becomes an indicator with the
// pattern, another one an observed-data object with the observable. A type outside the
// table, or a value the type's observable cannot hold (an ip-dst that is no address), has
// neither; the converter keeps such attributes as custom objects. The export reads it back:
// the MISP type of a simple pattern or of an observable not made from MISP.
//
// Thread-safety: stateless.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::misp {

// What the value of one attribute is in STIX.
struct StixForm {
  std::string pattern;   // a STIX pattern, or empty when none fits
  std::string sco_id;    // the observable's deterministic id, or empty when none fits
  std::string sco_json;  // the observable (type, spec_version, id, value properties)
  std::string reason;    // when neither fits: why, e.g. "no STIX mapping for type 'text'"
};

// Returns the STIX pattern and observable of an attribute of MISP `type` with `value`.
StixForm StixFormOf(std::string_view type, std::string_view value);

// A MISP attribute recovered from STIX that was not made from MISP.
struct NativeAttribute {
  std::string type;
  std::string category;
  std::string value;
};

// Returns the attribute of a pattern that is one comparison the table knows
// (`[domain-name:value = 'x.example']`), or nullopt.
std::optional<NativeAttribute> AttributeOfPattern(std::string_view pattern);

// Returns the attribute of observable `sco` (an object of a type and property the table
// knows: ipv4-addr value, file hashes, ...), or nullopt.
std::optional<NativeAttribute> AttributeOfObservable(const boost::json::object& sco);

// Returns `text` as a STIX pattern string literal: quoted, with ' and \ escaped.
std::string PatternString(std::string_view text);

}  // namespace kizuna::misp
