// Kizuna. Unicode normalisation and LIKE patterns for the pattern evaluators.
#pragma once

// LIKE and MATCHES compare NFC-normalised text (STIX 2.1 §9.6.2); = and the ordering
// operators compare code points as they are. Normalisation uses ICU; ASCII text (already
// NFC) is returned without touching ICU.
// Thread-safety: stateless (ICU's NFC instance is shared and thread-safe).

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace kizuna::pattern {

// Returns `text` in Normalization Form C. Invalid UTF-8 is returned unchanged (it cannot
// equal any pattern constant, which the parser requires to be valid UTF-8). `scratch`
// receives the normalised text when it differs; the result views either `text` or
// `scratch`.
std::string_view ToNfc(std::string_view text, std::string& scratch);

// A compiled LIKE pattern: SQL `%` (any run of characters) and `_` (exactly one
// character), matched against the whole NFC-normalised value. Common shapes (no wildcard,
// 'abc%', '%abc', '%abc%') are plain string tests; the rest run on RE2 in linear time.
class LikeMatcher {
 public:
  // `pattern` is the LIKE constant (valid UTF-8). REQUIRES: max_memory > 0.
  LikeMatcher(std::string_view pattern, int64_t max_memory);
  ~LikeMatcher();
  LikeMatcher(const LikeMatcher&) = delete;
  LikeMatcher& operator=(const LikeMatcher&) = delete;

  // False if the RE2 program could not be built within max_memory.
  bool ok() const;
  // Returns true if the NFC form of `value` matches. Thread-safe.
  bool Matches(std::string_view value) const;
  // The same test, always through RE2 (reference evaluator and differential tests).
  bool MatchesWithRegex(std::string_view value) const;

 private:
  enum class Shape { kExact, kPrefix, kSuffix, kContains, kRegex };
  Shape shape_ = Shape::kRegex;
  std::string literal_;  // the NFC literal for the plain shapes
  std::unique_ptr<re2::RE2> regex_;
};

}  // namespace kizuna::pattern
