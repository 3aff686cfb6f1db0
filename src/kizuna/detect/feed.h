// Kizuna. Plain indicator lists (one value a line, or CSV) turned into STIX indicators.
#pragma once

// Feeds such as maltrail's trails list bare values: domains, URLs (with or without a
// scheme), URL paths, IPv4/IPv6 addresses, CIDR blocks, "ip:port", file hashes and e-mail
// addresses, with '#' comments (whole-line or trailing). Each value becomes one STIX 2.1
// indicator:
//
//   domain            [domain-name:value = 'x'] (lower-cased)
//   a.b/path, http:// [url:value = 'http://a.b/path' OR url:value = 'https://a.b/path']
//                     (a value with a scheme is taken as it is)
//   /path             [network-traffic:extensions.'http-request-ext'.request_value = '/path']
//   IPv4 / IPv6       [ipv4-addr:value = 'x'] / [ipv6-addr:value = 'x']
//   CIDR              [ipv4-addr:value ISSUBSET 'x/n'] (ipv6-addr for IPv6 blocks)
//   ip:port           [network-traffic:dst_ref.value = 'ip' AND network-traffic:dst_port = p]
//   hex 32/40/64/128  [file:hashes.MD5 | 'SHA-1' | 'SHA-256' | 'SHA-512' = 'x']
//   a@b               [email-addr:value = 'a@b']
//
// with name "<family>: <value>", labels [family], indicator_types ["malicious-activity"],
// created = modified = valid_from = the given time (the list's modification time), and
// created_by_ref when an identity is given. The id is a UUIDv5 of the family and the
// pattern, so importing the same list again yields the same objects and adds nothing; a
// value whose pattern an earlier line of the list gave ("Evil.example" after "evil.example")
// is counted as a duplicate and not repeated.
//
// CSV: the first row names the columns; "value" (or "indicator") is required, "family" and
// "comment" are optional. Fields may be quoted ("a,b" with "" for a quote).
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::detect {

enum class FeedFormat : uint8_t { kLines, kCsv };

struct FeedOptions {
  FeedFormat format = FeedFormat::kLines;
  std::string family;          // default family (from the file name)
  int64_t time_us = 0;         // created / modified / valid_from
  std::string created_by_ref;  // empty: none
  std::string origin;          // names the input in errors ("file")
  size_t max_problems = 100;
};

// A value of the list that no pattern fits.
struct FeedProblem {
  int64_t line = 0;  // 1-based line of the input
  std::string reason;
};

struct FeedResult {
  std::string jsonl;   // the indicators, one JSON object a line
  int64_t values = 0;  // values read
  int64_t indicators = 0;
  int64_t skipped = 0;  // values no pattern fits
  int64_t duplicates = 0;  // values whose pattern an earlier line already gave
  std::vector<FeedProblem> problems;  // the first `max_problems` of the skipped values
};

// Converts a list. Errors: InvalidArgument for a CSV without a value column; values that
// fit no pattern are skipped and listed.
absl::StatusOr<FeedResult> ConvertFeed(std::string_view text, const FeedOptions& options);

// Returns the STIX pattern of one value (see above), or an empty string.
std::string FeedPattern(std::string_view value);

}  // namespace kizuna::detect
