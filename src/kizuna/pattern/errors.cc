// Kizuna.
#include "kizuna/pattern/errors.h"

#include <charconv>

#include "absl/strings/cord.h"
#include "kizuna/base/strings.h"

namespace kizuna::pattern {
namespace {

constexpr char kOffsetPayload[] = "type.kizuna.dev/pattern.offset";

}  // namespace

absl::Status PatternError(size_t offset, std::string_view reason, std::string_view what) {
  absl::Status status =
      absl::InvalidArgumentError(StrCat("offset ", offset, ": ", reason, ": ", what));
  status.SetPayload(kOffsetPayload, absl::Cord(AbslView(StrCat(offset))));
  return status;
}

std::optional<size_t> ErrorOffset(const absl::Status& status) {
  auto payload = status.GetPayload(kOffsetPayload);
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string CaretLines(std::string_view pattern, size_t offset) {
  if (offset > pattern.size()) offset = pattern.size();
  const size_t newline = offset == 0 ? std::string_view::npos : pattern.rfind('\n', offset - 1);
  const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  size_t line_end = pattern.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = pattern.size();
  std::string_view line = pattern.substr(line_start, line_end - line_start);
  std::string out(line);
  out += '\n';
  for (size_t i = line_start; i < offset && i < line_end; ++i) {
    unsigned char c = static_cast<unsigned char>(pattern[i]);
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same column
    out += c == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

}  // namespace kizuna::pattern
