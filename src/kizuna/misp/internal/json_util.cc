// Kizuna.
#include "kizuna/misp/internal/json_util.h"

#include <charconv>

#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::misp_internal {

std::string_view StringAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::string TextAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

std::optional<int64_t> SecondsAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<int64_t>(v->get_uint64());
  if (!v->is_string()) return std::nullopt;
  std::string_view s = v->get_string();
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

bool FlagAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_bool()) return v->get_bool();
  if (v->is_int64()) return v->get_int64() == 1;
  if (v->is_string()) return v->get_string() == "1" || v->get_string() == "true";
  return false;
}

const boost::json::array* ArrayAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

boost::json::object Without(const boost::json::object& o, std::initializer_list<std::string_view> mapped,
                            boost::json::storage_ptr sp) {
  boost::json::object out(std::move(sp));
  out.reserve(o.size());
  for (const auto& member : o) {
    bool skip = false;
    for (std::string_view m : mapped) skip = skip || member.key() == m;
    if (!skip) out.emplace(member.key(), member.value());
  }
  return out;
}

std::string StixTime(int64_t seconds) {
  constexpr int64_t kLast = 253402300799;  // 9999-12-31T23:59:59Z
  stix::Timestamp t;
  t.seconds = seconds < 0 ? 0 : (seconds > kLast ? kLast : seconds);
  return stix::FormatTimestamp(t, 3);
}

}  // namespace kizuna::misp_internal
