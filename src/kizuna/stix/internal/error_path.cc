// Kizuna.
#include "kizuna/stix/internal/error_path.h"

#include "kizuna/base/strings.h"

namespace kizuna::stix_internal {

std::string ErrorPath::ToString() const {
  if (size_ == 0) return "(object)";
  std::string out;
  size_t shown = size_ < kCapacity ? size_ : kCapacity;
  for (size_t i = 0; i < shown; ++i) {
    const Segment& s = segments_[i];
    if (s.is_index) {
      StrAppend(out, "[", s.index, "]");
    } else {
      if (i > 0) out += '.';
      out += Printable(std::string_view(s.key_data, s.key_size), 120);
    }
  }
  if (shown < size_) out += "...";
  return out;
}

std::string Printable(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t n = text.size() < max_bytes ? text.size() : max_bytes;
  // Do not cut a UTF-8 sequence in half.
  while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      StrAppend(out, fmt::format("\\x{:02x}", c));
    } else {
      out += static_cast<char>(c);
    }
  }
  if (n < text.size()) out += "...";
  return out;
}

}  // namespace kizuna::stix_internal
