// Kizuna.
#include "kizuna/taxii/query.h"

#include <algorithm>
#include <charconv>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::taxii {
namespace {

enum Filter : unsigned {
  kAddedAfter = 1, kLimit = 2, kNext = 4, kMatchId = 8, kMatchType = 16, kMatchVersion = 32,
  kMatchSpec = 64,
};

unsigned Allowed(Endpoint e) {
  switch (e) {
    case Endpoint::kObjects:
    case Endpoint::kManifest:
      return kAddedAfter | kLimit | kNext | kMatchId | kMatchType | kMatchVersion | kMatchSpec;
    case Endpoint::kObject: return kAddedAfter | kLimit | kNext | kMatchVersion | kMatchSpec;
    case Endpoint::kDeleteObject: return kMatchVersion | kMatchSpec;
    case Endpoint::kVersions: return kAddedAfter | kLimit | kNext | kMatchSpec;
  }
  return 0;
}

unsigned FilterOf(std::string_view name) {
  if (name == "added_after") return kAddedAfter;
  if (name == "limit") return kLimit;
  if (name == "next") return kNext;
  if (name == "match[id]") return kMatchId;
  if (name == "match[type]") return kMatchType;
  if (name == "match[version]") return kMatchVersion;
  if (name == "match[spec_version]") return kMatchSpec;
  return 0;
}

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = value.find(',');
    out.emplace_back(value.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    value = value.substr(comma + 1);
  }
}

absl::Status Bad(std::string_view param, std::string_view what) {
  return absl::InvalidArgumentError(StrCat("query parameter ", param, ": ", what));
}

absl::Status ParseVersions(std::string_view value, store::VersionFilter& v) {
  v = {.first = false, .last = false, .all = false, .exact_ns = {}};
  for (const std::string& item : SplitList(value)) {
    if (item == "first") {
      v.first = true;
    } else if (item == "last") {
      v.last = true;
    } else if (item == "all") {
      v.all = true;
    } else {
      absl::StatusOr<stix::Timestamp> t = stix::ParseTimestamp(item);
      if (!t.ok() || !t->Nanos()) {
        return Bad("match[version]", StrCat("expected first, last, all or a timestamp, got '", item.substr(0, 64), "'"));
      }
      v.exact_ns.push_back(*t->Nanos());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return absl::InvalidArgumentError("malformed percent escape in the URL");
    auto [p, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || p != text.data() + i + 3) {
      return absl::InvalidArgumentError("malformed percent escape in the URL");
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

absl::StatusOr<TaxiiQuery> ParseQuery(std::string_view query, Endpoint endpoint, const PageLimits& limits) {
  TaxiiQuery q;
  q.page.limit = limits.default_limit;
  store::ObjectFilter& f = q.page.filter;
  if (endpoint == Endpoint::kDeleteObject || endpoint == Endpoint::kVersions) f.versions.all = true;
  unsigned seen = 0;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    KZ_ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq)));
    KZ_ASSIGN_OR_RETURN(std::string value,
                        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    unsigned filter = FilterOf(name);
    if (filter == 0) {
      if (name.rfind("match[", 0) == 0) return Bad(name, "this server does not support that filter");
      continue;  // other parameters are not TAXII's; ignore them
    }
    if ((Allowed(endpoint) & filter) == 0) return Bad(name, "not supported on this endpoint");
    if (seen & filter) return Bad(name, "given more than once");
    seen |= filter;
    if (filter & (kMatchId | kMatchType | kMatchVersion | kMatchSpec)) {
      if (value.empty()) return Bad(name, "empty");
      if (static_cast<size_t>(std::count(value.begin(), value.end(), ',')) >= limits.max_match_values) {
        return Bad(name, StrCat("more than ", limits.max_match_values, " values"));
      }
    }
    switch (filter) {
      case kAddedAfter: {
        absl::StatusOr<int64_t> us = stix::ParseMicros(value);
        if (!us.ok()) return Bad(name, View(us.status().message()));
        f.added_after_us = *us;
        break;
      }
      case kLimit: {
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        bool too_big = ec == std::errc::result_out_of_range;
        if (value.empty() || p != value.data() + value.size() || (ec != std::errc() && !too_big) ||
            (!too_big && n == 0)) {
          return Bad(name, "expected a positive integer");
        }
        q.page.limit = too_big ? limits.max_limit : std::min<uint64_t>(n, limits.max_limit);
        break;
      }
      case kNext:
        q.next = value;
        break;
      case kMatchId:
        f.ids = SplitList(value);
        break;
      case kMatchType:
        f.types = SplitList(value);
        for (const std::string& t : f.types) {
          if (!stix::IsValidTypeName(t)) return Bad(name, StrCat("'", t.substr(0, 64), "' is not a STIX type name"));
        }
        break;
      case kMatchVersion:
        KZ_RETURN_IF_ERROR(ParseVersions(value, f.versions));
        break;
      case kMatchSpec:
        for (const std::string& v : SplitList(value)) {
          if (v == "2.0") f.spec_versions.push_back(stix::SpecVersion::k20);
          else if (v == "2.1") f.spec_versions.push_back(stix::SpecVersion::k21);
          else return Bad(name, StrCat("expected 2.0 or 2.1, got '", v.substr(0, 16), "'"));
        }
        break;
    }
  }
  // The binding: every filter in a canonical form (limit and next are not part of it).
  std::vector<std::string> ids = f.ids, types = f.types;
  std::sort(ids.begin(), ids.end());
  std::sort(types.begin(), types.end());
  q.binding = StrCat(static_cast<int>(endpoint), "|", f.added_after_us.value_or(-1), "|");
  for (const std::string& id : ids) StrAppend(q.binding, id, ",");
  q.binding += '|';
  for (const std::string& type : types) StrAppend(q.binding, type, ",");
  StrAppend(q.binding, "|", f.versions.first, f.versions.last, f.versions.all, ":");
  for (int64_t v : f.versions.exact_ns) StrAppend(q.binding, v, ",");
  q.binding += '|';
  for (stix::SpecVersion v : f.spec_versions) StrAppend(q.binding, stix::SpecVersionName(v), ",");
  return q;
}

}  // namespace kizuna::taxii
