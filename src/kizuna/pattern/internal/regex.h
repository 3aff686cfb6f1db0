// Kizuna. MATCHES regexes: PCRE syntax run on RE2, never by backtracking.
#pragma once

// STIX MATCHES uses PCRE syntax with search semantics and DOTALL (§9.6.2). Kizuna runs it
// on RE2, whose time is linear in the input, so no shared pattern can hang a node. RE2
// accepts the PCRE syntax real indicators use; what needs backtracking (backreferences,
// lookaround, possessive quantifiers, \Z) does not compile, and the validator rejects the
// pattern. The regex text and the value are both NFC-normalised first. For binary values
// (_hex/_bin properties) a second program runs on bytes: each code point of the regex below
// U+0100 stands for that byte (as the OASIS matcher does).
// Thread-safety: a compiled Regex is immutable; matching is thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace kizuna::pattern_internal {

class Regex {
 public:
  // Compiles `pattern` (UTF-8, as written in the pattern after unescaping). Returns
  // InvalidArgument with RE2's reason when RE2 cannot compile it within `max_memory`.
  static absl::StatusOr<std::unique_ptr<Regex>> Compile(std::string_view pattern,
                                                        int64_t max_memory);
  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  explicit Regex(PrivateTag);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Returns true if the regex matches anywhere in the NFC form of `text`.
  bool SearchText(std::string_view text) const;
  // Returns true if the byte program matches anywhere in `bytes`; false if the regex has
  // code points >= U+0100 (it cannot describe bytes).
  bool SearchBytes(std::string_view bytes) const;

 private:
  std::unique_ptr<re2::RE2> text_;
  std::unique_ptr<re2::RE2> bytes_;  // null when not representable in Latin-1
};

}  // namespace kizuna::pattern_internal
