// Kizuna.
#include "kizuna/pattern/text.h"

#include <re2/re2.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include "kizuna/pattern/internal/utf8.h"

namespace kizuna::pattern {
namespace {

const icu::Normalizer2* Nfc() {
  static const icu::Normalizer2* nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return nfc;
}

}  // namespace

std::string_view ToNfc(std::string_view text, std::string& scratch) {
  if (pattern_internal::IsAscii(text) || !pattern_internal::IsValidUtf8(text)) return text;
  const icu::Normalizer2* nfc = Nfc();
  if (nfc == nullptr) return text;
  UErrorCode status = U_ZERO_ERROR;
  icu::StringPiece piece(text.data(), static_cast<int32_t>(text.size()));
  if (text.size() > INT32_MAX) return text;
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return text;
  status = U_ZERO_ERROR;
  scratch.clear();
  icu::StringByteSink<std::string> sink(&scratch);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return text;
  return scratch;
}

LikeMatcher::LikeMatcher(std::string_view pattern, int64_t max_memory) : max_memory_(max_memory) {
  std::string scratch;
  const std::string nfc(ToNfc(pattern, scratch));
  // Regex form: literal runs quoted, % -> .*, _ -> one code point; matched in full.
  std::string regex = "(?s)";
  std::string run;
  size_t percents = 0, underscores = 0;
  for (char c : nfc) {
    if (c == '%' || c == '_') {
      regex += RE2::QuoteMeta(run);
      run.clear();
      regex += c == '%' ? ".*" : ".";
      (c == '%' ? percents : underscores)++;
    } else {
      run += c;
    }
  }
  regex += RE2::QuoteMeta(run);
  regex_source_ = std::move(regex);

  const bool lead = !nfc.empty() && nfc.front() == '%';
  const bool trail = nfc.size() > 1 && nfc.back() == '%';
  if (underscores > 0) {
    shape_ = Shape::kRegex;
  } else if (percents == 0) {
    shape_ = Shape::kExact;
    literal_ = nfc;
  } else if (percents == 1 && trail) {
    shape_ = Shape::kPrefix;
    literal_ = nfc.substr(0, nfc.size() - 1);
  } else if (percents == 1 && lead) {
    shape_ = Shape::kSuffix;
    literal_ = nfc.substr(1);
  } else if (percents == 2 && lead && trail) {
    shape_ = Shape::kContains;
    literal_ = nfc.substr(1, nfc.size() - 2);
  } else {
    shape_ = Shape::kRegex;
  }
  std::string latin1;
  bytes_ok_ = pattern_internal::Utf8ToLatin1(nfc, latin1) &&
              pattern_internal::Utf8ToLatin1(literal_, latin1_literal_);
  if (shape_ == Shape::kRegex) Regex();
}

LikeMatcher::~LikeMatcher() = default;

const RE2* LikeMatcher::Regex() const {
  std::call_once(regex_built_, [this] {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(max_memory_);
    options.set_never_capture(true);
    regex_ = std::make_unique<RE2>(regex_source_, options);
  });
  return regex_->ok() ? regex_.get() : nullptr;
}

bool LikeMatcher::ok() const { return shape_ != Shape::kRegex || Regex() != nullptr; }

std::optional<bool> LikeMatcher::PlainMatch(Shape shape, std::string_view v,
                                            std::string_view literal) {
  switch (shape) {
    case Shape::kExact: return v == literal;
    case Shape::kPrefix: return v.substr(0, literal.size()) == literal;
    case Shape::kSuffix:
      return v.size() >= literal.size() && v.substr(v.size() - literal.size()) == literal;
    case Shape::kContains: return v.find(literal) != std::string_view::npos;
    case Shape::kRegex: break;
  }
  return std::nullopt;
}

bool LikeMatcher::Matches(std::string_view value) const {
  std::string scratch;
  const std::string_view v = ToNfc(value, scratch);
  if (std::optional<bool> plain = PlainMatch(shape_, v, literal_)) return *plain;
  const RE2* regex = Regex();
  return regex != nullptr && RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *regex);
}

bool LikeMatcher::MatchesBytes(std::string_view bytes, std::string& scratch) const {
  if (!bytes_ok_) return false;
  if (std::optional<bool> plain = PlainMatch(shape_, bytes, latin1_literal_)) return *plain;
  // The bytes as the code points U+0000..U+00FF: text in NFC already, so no normalising.
  pattern_internal::Latin1ToUtf8(bytes, scratch);
  const RE2* regex = Regex();
  return regex != nullptr && RE2::FullMatch(re2::StringPiece(scratch.data(), scratch.size()), *regex);
}

bool LikeMatcher::MatchesWithRegex(std::string_view value) const {
  std::string scratch;
  const std::string_view v = ToNfc(value, scratch);
  const RE2* regex = Regex();
  return regex != nullptr && RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *regex);
}

}  // namespace kizuna::pattern
