// Kizuna.
#include "kizuna/pattern/internal/regex.h"

#include <re2/re2.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/text.h"
#include "kizuna/pattern/internal/utf8.h"

namespace kizuna::pattern_internal {
namespace {

RE2::Options MakeOptions(int64_t max_memory, bool latin1) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_dot_nl(true);  // DOTALL, as STIX requires
  options.set_never_capture(true);
  options.set_max_mem(max_memory);
  options.set_encoding(latin1 ? RE2::Options::EncodingLatin1 : RE2::Options::EncodingUTF8);
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Regex>> Regex::Compile(std::string_view pattern,
                                                      int64_t max_memory) {
  std::string scratch;
  const std::string nfc(pattern::ToNfc(pattern, scratch));
  auto regex = std::make_unique<Regex>(PrivateTag{});
  regex->text_ = std::make_unique<RE2>(re2::StringPiece(nfc.data(), nfc.size()),
                                       MakeOptions(max_memory, false));
  if (!regex->text_->ok()) {
    return absl::InvalidArgumentError(
        StrCat("RE2 cannot compile it (", regex->text_->error(), ")"));
  }
  std::string latin1;
  if (Utf8ToLatin1(nfc, latin1)) {
    auto bytes = std::make_unique<RE2>(re2::StringPiece(latin1.data(), latin1.size()),
                                       MakeOptions(max_memory, true));
    if (bytes->ok()) regex->bytes_ = std::move(bytes);
  }
  return regex;
}

Regex::Regex(PrivateTag) {}
Regex::~Regex() = default;

bool Regex::SearchText(std::string_view text) const {
  std::string scratch;
  const std::string_view v = pattern::ToNfc(text, scratch);
  return RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), *text_);
}

bool Regex::SearchBytes(std::string_view bytes) const {
  return bytes_ != nullptr &&
         RE2::PartialMatch(re2::StringPiece(bytes.data(), bytes.size()), *bytes_);
}

}  // namespace kizuna::pattern_internal
