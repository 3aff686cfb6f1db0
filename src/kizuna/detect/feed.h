// Kizuna. Plain indicator lists (one value a line, or CSV) turned into STIX indicators.
#pragma once

// Feeds such as maltrail's trails list bare values: domains, URLs (with or without a
// scheme), URL paths, IPv4/IPv6 addresses, CIDR blocks, "ip:port", file hashes and e-mail
// addresses, with '#' comments (whole-line or trailing). A line may give a number after its
// value ("ip<TAB>count" as ipsum's, or "value 12"). Each value becomes one STIX 2.1
// indicator whose pattern means what the line means in such lists (docs/feeds.md):
//
//   line              meaning                         pattern
//   evil.example      the name and every name under   [domain-name:value = 'evil.example' OR
//                     it (--exact-domains: the name)   domain-name:value LIKE '%.evil.example']
//   www.evil.example  that name and names under it;   as above, with the www. kept: the bare
//                     the www. is kept                name is not implied
//   .tk               any name under the suffix       [domain-name:value LIKE '%.tk']
//   http://host[/]    the host (no path): as the      as the host's line (domain, address,
//                     host's line                     ip:port)
//   a.b/path, http:// the URL                         [url:value = 'http://a.b/path' OR
//   a.b/path                                          url:value = 'https://a.b/path']
//                                                     (a value with a scheme is taken as it is)
//   /path             an HTTP request target          [network-traffic:extensions.'http-request-ext'.
//                                                     request_value = '/path']
//   IPv4 / IPv6       the address                     [ipv4-addr:value = 'x'] / [ipv6-addr:...]
//   CIDR              any address in the block        [ipv4-addr:value ISSUBSET 'x/n'] (ipv6-addr)
//   ip:port           a service: traffic to it        [network-traffic:dst_ref.value = 'ip' AND
//                                                     network-traffic:dst_port = p]
//   hex 32/40/64/128  a file hash                     [file:hashes.MD5 | 'SHA-1' | 'SHA-256' |
//                                                     'SHA-512' = 'x']
//   a@b               the e-mail address              [email-addr:value = 'a@b']
//
// Names are lower-cased. A name with '_' or non-ASCII characters is matched exactly (LIKE
// has no escape for '_', and only ASCII suffixes are lookups). A line's number is kept in
// the indicator's custom property x_kizuna_feed_score (as a JSON number).
//
// Each indicator gets name "<family>: <value>", labels [family, settings.labels...],
// created_by_ref, the settings (detect/feed_settings.h), and created = modified =
// valid_from = the given time. Its id is a UUIDv5 of the creator, the family and the pattern
// (FeedIndicatorId), so the same list imported again gives the same ids, and two
// organisations importing one list do not share ids. A value whose pattern an earlier line
// of the list gave ("Evil.example" after "evil.example") is counted as a duplicate and not
// repeated. ingest/feed.h decides which versions an import adds (the feed's lifecycle).
//
// CSV: the first row names the columns; "value" (or "indicator") is required, "family",
// "score" and "comment" are optional. Fields may be quoted ("a,b" with "" for a quote).
//
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/feed_settings.h"

namespace kizuna::detect {

enum class FeedFormat : uint8_t { kLines, kCsv };

// Most generations of one value: a value revoked by `--replace` comes back under a new id
// (a revoked object gets no new versions, STIX 2.1 §3.6), at most this often.
inline constexpr int kMaxFeedGenerations = 1000;

struct FeedOptions {
  FeedFormat format = FeedFormat::kLines;
  std::string family;          // default family (from the file name)
  int64_t time_us = 0;         // created / modified / valid_from of values new to the node
  int64_t now_us = 0;          // the import's time: later versions, renewals; 0: time_us
  std::string created_by_ref;  // empty: none
  std::string origin;          // names the input in errors ("file")
  size_t max_problems = 100;
  FeedSettings settings;
};

// A value of the list that no pattern fits.
struct FeedProblem {
  int64_t line = 0;  // 1-based line of the input
  std::string reason;
};

// One value of the list, with its pattern.
struct FeedEntry {
  int64_t line = 0;
  std::string family;
  std::string value;    // as the list gives it
  std::string pattern;
  std::string score;    // the line's number as JSON number text, or empty
};

struct FeedResult {
  std::vector<FeedEntry> entries;  // in list order, without duplicates
  int64_t values = 0;  // values read
  int64_t indicators = 0;
  int64_t skipped = 0;  // values no pattern fits
  int64_t duplicates = 0;  // values whose pattern an earlier line already gave
  std::vector<FeedProblem> problems;  // the first `max_problems` of the skipped values
};

// The id and times of one version of a feed indicator.
struct FeedVersion {
  std::string id;
  int64_t created_us = 0, modified_us = 0, valid_from_us = 0;
  std::optional<int64_t> valid_until_us;
};

// Converts a list. Errors: InvalidArgument for a CSV without a value column; values that
// fit no pattern are skipped and listed.
absl::StatusOr<FeedResult> ConvertFeed(std::string_view text, const FeedOptions& options);

// Returns the pattern of one value (see above), or an empty string.
std::string FeedPattern(std::string_view value, bool exact_domains = false);

// Returns the id of `pattern` of `family` created by `creator`, generation `generation`
// (0 for the first; see kMaxFeedGenerations).
std::string FeedIndicatorId(std::string_view creator, std::string_view family, std::string_view pattern,
                            int generation);

// Returns the feed's name: settings.source, else the list's family.
std::string_view FeedSourceName(const FeedOptions& options);

// Returns the valid_until of a first version made at `time_us` under the settings, or none.
std::optional<int64_t> FirstValidUntil(const FeedOptions& options, int64_t time_us);

// Returns the JSON of `version` of the indicator of `entry` (no newline).
std::string FeedIndicatorJson(const FeedEntry& entry, const FeedOptions& options, const FeedVersion& version);

// Returns the first versions of `result`'s entries (generation 0, times options.time_us), one
// JSON object a line: what a list is when nothing of it is held yet.
std::string FeedJsonLines(const FeedResult& result, const FeedOptions& options);

}  // namespace kizuna::detect
