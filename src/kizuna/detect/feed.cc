// Kizuna.
#include "kizuna/detect/feed.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
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
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

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

bool IsAsciiHost(std::string_view host) {
  for (char c : host) {
    if (static_cast<unsigned char>(c) >= 0x80 || c == '_') return false;
  }
  return true;
}

// A name and the names under it (or the name only when `exact`, or when LIKE cannot say it).
std::string DomainPattern(const std::string& host, bool exact) {
  if (exact || !IsAsciiHost(host)) return StrCat("[domain-name:value = ", Quote(host), "]");
  return StrCat("[domain-name:value = ", Quote(host), " OR domain-name:value LIKE ", Quote(StrCat("%.", host)), "]");
}

// ".tk": any name under the suffix.
std::string SuffixPattern(std::string_view v) {
  const std::string suffix = Lower(v.substr(1));
  if (suffix.empty() || suffix.front() == '.' || suffix.back() == '.' || !IsAsciiHost(suffix)) return {};
  for (char c : suffix) {
    if (!IsHostChar(c)) return {};
  }
  return StrCat("[domain-name:value LIKE ", Quote(StrCat("%.", suffix)), "]");
}

// "http://host", "https://host/": the host, or nullopt when the URL has a path (or is not
// http). The host part may carry a port.
std::optional<std::string_view> HostOfBareUrl(std::string_view v) {
  std::string_view rest;
  if (v.size() > 7 && EqualsIgnoreCase(v.substr(0, 7), "http://")) {
    rest = v.substr(7);
  } else if (v.size() > 8 && EqualsIgnoreCase(v.substr(0, 8), "https://")) {
    rest = v.substr(8);
  } else {
    return std::nullopt;
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos) return std::nullopt;
  return rest;
}

// The line's number after its value ("1.2.3.4<TAB>7"), as JSON number text, or "".
std::string ScoreText(std::string_view text) {
  int64_t n = 0;
  if (absl::SimpleAtoi(AbslView(text), &n) && text.find_first_of("+-") == std::string_view::npos) {
    return std::to_string(n);
  }
  double d = 0;
  if (text.find_first_not_of("0123456789.") == std::string_view::npos && absl::SimpleAtod(AbslView(text), &d)) {
    return fmt::format("{}", d);
  }
  return {};
}

// Splits a list line (comment removed) into its value and its number, if it has one.
void SplitValue(std::string_view line, std::string& value, std::string& score) {
  const size_t space = line.find_first_of(" \t");
  if (space != std::string_view::npos) {
    std::string n = ScoreText(Trim(line.substr(space)));
    if (!n.empty()) {
      value = std::string(line.substr(0, space));
      score = std::move(n);
      return;
    }
  }
  value = std::string(line);
}

}  // namespace

std::string FeedPattern(std::string_view value, bool exact_domains) {
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
  if (std::optional<std::string_view> host = HostOfBareUrl(v)) return FeedPattern(*host, exact_domains);
  if (v.front() == '.') return SuffixPattern(v);
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
  if (host.find('.') == std::string::npos || host.find(':') != std::string::npos || host.back() == '.') return {};
  return DomainPattern(host, exact_domains);
}

std::string FeedIndicatorId(std::string_view creator, std::string_view family, std::string_view pattern,
                            int generation) {
  std::string key = StrCat(creator, "\n", family, "\n", pattern);
  if (generation > 0) StrAppend(key, "\n", generation);
  return StrCat("indicator--", stix::UuidV5(kFeedNamespace, key));
}

std::string_view FeedSourceName(const FeedOptions& options) {
  return options.settings.source.empty() ? std::string_view(options.family) : std::string_view(options.settings.source);
}

std::optional<int64_t> FirstValidUntil(const FeedOptions& options, int64_t time_us) {
  const FeedSettings& s = options.settings;
  if (s.valid_until_us) return s.valid_until_us;
  if (!s.valid_for_days) return std::nullopt;
  return std::max(time_us, options.now_us) + *s.valid_for_days * kMicrosPerDay;
}

absl::StatusOr<FeedResult> ConvertFeed(std::string_view text, const FeedOptions& options) {
  FeedResult result;
  int value_column = 0, family_column = -1, score_column = -1;
  bool header = options.format == FeedFormat::kCsv;
  absl::flat_hash_set<std::string> seen;  // family + pattern
  uint64_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    FeedEntry entry;
    entry.family = options.family;
    if (options.format == FeedFormat::kLines) {
      const size_t hash = line.find('#');
      SplitValue(Trim(line.substr(0, hash)), entry.value, entry.score);
    } else {
      if (Trim(line).empty() || Trim(line).front() == '#') continue;
      std::vector<std::string> row = CsvRow(line);
      if (header) {
        header = false;
        value_column = family_column = score_column = -1;
        for (size_t i = 0; i < row.size(); ++i) {
          const std::string name = Lower(row[i]);
          if (name == "value" || name == "indicator") value_column = static_cast<int>(i);
          if (name == "family") family_column = static_cast<int>(i);
          if (name == "score") score_column = static_cast<int>(i);
        }
        if (value_column < 0) {
          return absl::InvalidArgumentError(
              StrCat(options.origin, ":", line_number, ": no 'value' column in the CSV header"));
        }
        continue;
      }
      auto field = [&row](int column) {
        return column >= 0 && column < static_cast<int>(row.size()) ? row[column] : std::string();
      };
      entry.value = field(value_column);
      if (!field(family_column).empty()) entry.family = field(family_column);
      entry.score = ScoreText(field(score_column));
    }
    if (entry.value.empty()) continue;
    ++result.values;
    entry.pattern = FeedPattern(entry.value, options.settings.exact_domains);
    if (entry.pattern.empty()) {
      ++result.skipped;
      if (result.problems.size() < options.max_problems) {
        result.problems.push_back({static_cast<int64_t>(line_number), StrCat("no pattern fits '", entry.value, "'")});
      }
      continue;
    }
    if (!seen.insert(StrCat(entry.family, "\n", entry.pattern)).second) {
      ++result.duplicates;
      continue;
    }
    entry.line = static_cast<int64_t>(line_number);
    result.entries.push_back(std::move(entry));
    ++result.indicators;
  }
  return result;
}

std::string FeedIndicatorJson(const FeedEntry& entry, const FeedOptions& options, const FeedVersion& version) {
  const FeedSettings& s = options.settings;
  std::string out;
  StrAppend(out, R"({"type":"indicator","spec_version":"2.1","id":")", version.id, R"(","created":")",
            FormatEventTime(version.created_us), R"(","modified":")", FormatEventTime(version.modified_us), "\"");
  if (!options.created_by_ref.empty()) {
    out += R"(,"created_by_ref":)";
    AppendJsonString(options.created_by_ref, out);
  }
  out += R"(,"name":)";
  AppendJsonText(StrCat(entry.family, ": ", entry.value), out);
  if (!s.description.empty()) {
    out += R"(,"description":)";
    AppendJsonText(s.description, out);
  }
  out += R"(,"indicator_types":[)";
  for (size_t i = 0; i < s.indicator_types.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonText(s.indicator_types[i], out);
  }
  out += R"(],"labels":[)";
  AppendJsonText(entry.family, out);
  for (const std::string& label : s.labels) {
    if (label == entry.family) continue;
    out += ',';
    AppendJsonText(label, out);
  }
  out += ']';
  if (s.confidence) StrAppend(out, R"(,"confidence":)", *s.confidence);
  out += R"(,"external_references":[{"source_name":)";
  AppendJsonText(FeedSourceName(options), out);
  out += R"(,"external_id":)";  // the list within the source (STIX 2.1 §2.5 wants one of these)
  AppendJsonText(entry.family, out);
  if (!s.source_url.empty()) {
    out += R"(,"url":)";
    AppendJsonText(s.source_url, out);
  }
  out += "}]";
  if (!s.tlp.empty()) StrAppend(out, R"(,"object_marking_refs":[")", Tlp2MarkingId(s.tlp), "\"]");
  out += R"(,"pattern":)";
  AppendJsonString(entry.pattern, out);
  StrAppend(out, R"(,"pattern_type":"stix","valid_from":")", FormatEventTime(version.valid_from_us), "\"");
  if (version.valid_until_us) StrAppend(out, R"(,"valid_until":")", FormatEventTime(*version.valid_until_us), "\"");
  if (!entry.score.empty()) StrAppend(out, R"(,"x_kizuna_feed_score":)", entry.score);
  out += '}';
  return out;
}

std::string FeedJsonLines(const FeedResult& result, const FeedOptions& options) {
  std::string out;
  FeedVersion v;
  v.created_us = v.modified_us = v.valid_from_us = options.time_us;
  v.valid_until_us = FirstValidUntil(options, options.time_us);
  for (const FeedEntry& e : result.entries) {
    v.id = FeedIndicatorId(options.created_by_ref, e.family, e.pattern, 0);
    StrAppend(out, FeedIndicatorJson(e, options, v), "\n");
  }
  return out;
}

}  // namespace kizuna::detect
