// Kizuna. Small readers of MISP JSON members (boost::json), shared by the converters.
#pragma once

// MISP writes many numbers and booleans as strings ("timestamp": "1513893921", "to_ids":
// "1"); these readers accept both spellings.
// Thread-safety: stateless.

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::misp_internal {

// Returns member `key` of `o` when it is a string, else empty.
std::string_view StringAt(const boost::json::object& o, std::string_view key);

// Returns member `key` as text: a string as is, a number or boolean as its JSON, else empty.
std::string TextAt(const boost::json::object& o, std::string_view key);

// Returns member `key` as seconds since the epoch (a number or a string of digits), or nullopt.
std::optional<int64_t> SecondsAt(const boost::json::object& o, std::string_view key);

// Returns member `key` as a flag: true, 1, "1" and "true" are true.
bool FlagAt(const boost::json::object& o, std::string_view key);

// Returns member `key` when it is an array, else null.
const boost::json::array* ArrayAt(const boost::json::object& o, std::string_view key);

// Returns `o` without the members named in `mapped`, in storage `sp`.
boost::json::object Without(const boost::json::object& o, std::initializer_list<std::string_view> mapped,
                            boost::json::storage_ptr sp = {});

// Formats `seconds` since the epoch as a STIX timestamp with milliseconds.
std::string StixTime(int64_t seconds);

}  // namespace kizuna::misp_internal
