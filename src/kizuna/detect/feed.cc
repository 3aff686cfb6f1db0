// Kizuna.
#include "kizuna/detect/feed.h"

#include "absl/container/flat_hash_set.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/detect/internal/text.h"
#include "kizuna/detect/lookup/ip.h"
#include "kizuna/detect/observable.h"
#include "kizuna/stix/id.h"

namespace kizuna::detect {
namespace {

using detect_internal::Lower;

// The namespace of feed indicator ids (a fixed, random UUID of Kizuna's).
constexpr std::string_view kFeedNamespace = "0c7b6f0e-2a8d-4b5e-9f13-7d4e8a2c5b91";

// A STIX pattern string literal.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string HashPattern(std::string_view v) {
  std::string_view name;
  switch (v.size()) {
    case 32: name = "MD5"; break;
    case 40: name = "'SHA-1'"; break;
    case 64: name = "'SHA-256'"; break;
    case 128: name = "'SHA-512'"; break;
    default: return {};
  }
  return StrCat("[file:hashes.", name, " = ", Quote(Lower(v)), "]");
}

// Splits one CSV row into fields (RFC 4180 quoting).
std::vector<std::string> CsvRow(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  for (std::string& f : out) f = std::string(Trim(f));
  return out;
}

}  // namespace

std::string FeedPattern(std::string_view value) {
  const std::string_view v = Trim(value);
  if (v.empty()) return {};
  if (ParseIpv4(v)) return StrCat("[ipv4-addr:value = ", Quote(v), "]");
  if (v.find('/') != std::string_view::npos || v.find(':') != std::string_view::npos) {
    if (std::optional<IpBlock> b = ParseIpBlock(v)) {
      const std::string_view type = b->v6 ? "ipv6-addr" : "ipv4-addr";
      if (v.find('/') == std::string_view::npos) return StrCat("[", type, ":value = ", Quote(v), "]");
      return StrCat("[", type, ":value ISSUBSET ", Quote(v), "]");
    }
  }
  const size_t colon = v.rfind(':');
  if (colon != std::string_view::npos && v.find('/') == std::string_view::npos) {
    const std::string_view host = v.substr(0, colon);
    const std::string_view port = v.substr(colon + 1);
    std::optional<uint32_t> p = ParsePort(port);
    if (p && ParseIpv4(host)) {
      return StrCat("[network-traffic:dst_ref.value = ", Quote(host),
                    " AND network-traffic:dst_port = ", *p, "]");
    }
    if (p && !host.empty() && host.find(':') == std::string_view::npos) {
      const std::string url = Lower(host) + ":" + std::string(port);
      return StrCat("[url:value = ", Quote(StrCat("http://", url, "/")), " OR url:value = ",
                    Quote(StrCat("https://", url, "/")), "]");
    }
  }
  if (IsHex(v)) {
    if (std::string h = HashPattern(v); !h.empty()) return h;
  }
  if (v.find("://") != std::string_view::npos) return StrCat("[url:value = ", Quote(v), "]");
  if (v.front() == '/') {
    return StrCat("[network-traffic:extensions.'http-request-ext'.request_value = ", Quote(v), "]");
  }
  if (v.find('@') != std::string_view::npos && v.find('/') == std::string_view::npos) {
    return StrCat("[email-addr:value = ", Quote(v), "]");
  }
  const size_t slash = v.find('/');
  const std::string host = Lower(v.substr(0, slash));
  for (char c : host) {
    if (!IsHostChar(c) && c != ':') return {};
  }
  if (slash != std::string_view::npos) {
    const std::string rest(v.substr(slash));
    return StrCat("[url:value = ", Quote(StrCat("http://", host, rest)), " OR url:value = ",
                  Quote(StrCat("https://", host, rest)), "]");
  }
  if (host.find('.') == std::string::npos || host.find(':') != std::string::npos) return {};
  return StrCat("[domain-name:value = ", Quote(host), "]");
}

absl::StatusOr<FeedResult> ConvertFeed(std::string_view text, const FeedOptions& options) {
  FeedResult result;
  const std::string time = FormatEventTime(options.time_us);
  int value_column = 0, family_column = -1;
  bool header = options.format == FeedFormat::kCsv;
  absl::flat_hash_set<std::string> seen;  // family + pattern
  uint64_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::string value, family = options.family;
    if (options.format == FeedFormat::kLines) {
      const size_t hash = line.find('#');
      value = std::string(Trim(line.substr(0, hash)));
    } else {
      if (Trim(line).empty() || Trim(line).front() == '#') continue;
      std::vector<std::string> row = CsvRow(line);
      if (header) {
        header = false;
        value_column = family_column = -1;
        for (size_t i = 0; i < row.size(); ++i) {
          const std::string name = Lower(row[i]);
          if (name == "value" || name == "indicator") value_column = static_cast<int>(i);
          if (name == "family") family_column = static_cast<int>(i);
        }
        if (value_column < 0) {
          return absl::InvalidArgumentError(
              StrCat(options.origin, ":", line_number, ": no 'value' column in the CSV header"));
        }
        continue;
      }
      if (value_column < static_cast<int>(row.size())) value = row[value_column];
      if (family_column >= 0 && family_column < static_cast<int>(row.size()) &&
          !row[family_column].empty()) {
        family = row[family_column];
      }
    }
    if (value.empty()) continue;
    ++result.values;
    const std::string pattern = FeedPattern(value);
    if (pattern.empty()) {
      ++result.skipped;
      if (result.problems.size() < options.max_problems) {
        result.problems.push_back({static_cast<int64_t>(line_number), StrCat("no pattern fits '", value, "'")});
      }
      continue;
    }
    std::string key = StrCat(family, "\n", pattern);
    const std::string id = StrCat("indicator--", stix::UuidV5(kFeedNamespace, key));
    if (!seen.insert(std::move(key)).second) {
      ++result.duplicates;
      continue;
    }
    std::string& out = result.jsonl;
    StrAppend(out, R"({"type":"indicator","spec_version":"2.1","id":")", id, R"(","created":")",
              time, R"(","modified":")", time, "\"");
    if (!options.created_by_ref.empty()) {
      out += R"(,"created_by_ref":)";
      AppendJsonString(options.created_by_ref, out);
    }
    out += R"(,"name":)";
    AppendJsonText(StrCat(family, ": ", value), out);
    out += R"(,"indicator_types":["malicious-activity"],"labels":[)";
    AppendJsonText(family, out);
    out += R"(],"pattern":)";
    AppendJsonString(pattern, out);
    StrAppend(out, R"(,"pattern_type":"stix","valid_from":")", time, "\"}\n");
    ++result.indicators;
  }
  return result;
}

}  // namespace kizuna::detect
