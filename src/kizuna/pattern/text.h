// Kizuna. Unicode normalisation and LIKE patterns for the pattern evaluators.
#pragma once

// LIKE and MATCHES compare NFC-normalised text (STIX 2.1 §9.6.2); = and the ordering
// operators compare code points as they are. Normalisation uses ICU; ASCII text (already
// NFC) is returned without touching ICU.
// Thread-safety: stateless (ICU's NFC instance is shared and thread-safe).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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
// 'abc%', '%abc', '%abc%') are plain string tests and build no RE2 program (but for
// MatchesWithRegex, once); the rest run on RE2 in linear time.
// On binary values (STIX 2.1 §9.6.4; `_hex`/`_bin` properties) LIKE runs on the bytes, as
// MATCHES does: each code point of the pattern below U+0100 stands for that byte, `_` for
// one byte and `%` for any run of bytes; a pattern holding a code point above U+00FF
// describes no bytes and matches no binary value.
class LikeMatcher {
 public:
  // `pattern` is the LIKE constant (valid UTF-8). REQUIRES: max_memory > 0.
  LikeMatcher(std::string_view pattern, int64_t max_memory);
  ~LikeMatcher();
  LikeMatcher(const LikeMatcher&) = delete;
  LikeMatcher& operator=(const LikeMatcher&) = delete;

  // False if the pattern needs an RE2 program and it could not be built within max_memory.
  bool ok() const;
  // Returns true if the NFC form of `value` matches. Thread-safe.
  bool Matches(std::string_view value) const;
  // The same test, always through RE2 (reference evaluator and differential tests); false
  // if the program cannot be built. Thread-safe.
  bool MatchesWithRegex(std::string_view value) const;
  // Returns true if the binary value `bytes` matches (above). `scratch` is a buffer the
  // call may use (keep one per thread to avoid allocating). Thread-safe.
  bool MatchesBytes(std::string_view bytes, std::string& scratch) const;

 private:
  enum class Shape { kExact, kPrefix, kSuffix, kContains, kRegex };
  // The test of a plain shape on `v` (NFC text, or bytes with `literal` in Latin-1); nullopt
  // for kRegex.
  static std::optional<bool> PlainMatch(Shape shape, std::string_view v,
                                        std::string_view literal);
  Shape shape_ = Shape::kRegex;
  std::string literal_;  // the NFC literal for the plain shapes
  bool bytes_ok_ = false;  // the pattern's code points are all below U+0100
  std::string latin1_literal_;  // literal_ as bytes, when bytes_ok_
  // The RE2 program: built in the constructor for kRegex, on first use otherwise.
  const re2::RE2* Regex() const;
  std::string regex_source_;
  int64_t max_memory_;
  mutable std::once_flag regex_built_;
  mutable std::unique_ptr<re2::RE2> regex_;
};

}  // namespace kizuna::pattern
