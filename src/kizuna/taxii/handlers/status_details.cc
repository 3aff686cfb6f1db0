// Kizuna.
#include "kizuna/taxii/handlers/status_details.h"

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii::taxii_internal {
namespace {

// The longest prefix of `text` (valid UTF-8) of at most `max_bytes` that ends on a character.
std::string_view Cut(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

}  // namespace

std::string DetailHead(std::string_view id, std::string_view version) {
  std::string out = "{\"id\":";
  AppendJsonString(Cut(id, kMaxDetailIdBytes), out);
  out += ",\"version\":";
  AppendJsonString(Cut(version, kMaxDetailVersionBytes), out);
  return out;
}

void DetailList::Append(std::string_view head, std::string_view message) {
  if (kept_ >= max_details_) {
    ++omitted_;
    return;
  }
  ++kept_;
  if (json_.size() > 1) json_ += ',';
  json_ += head;
  if (!message.empty()) {
    std::string_view cut = Cut(message, kMaxDetailMessageBytes);
    json_ += ",\"message\":";
    AppendJsonString(cut.size() == message.size() ? message : StrCat(cut, "..."), json_);
  }
  json_ += '}';
}

std::string DetailsJson(const DetailList& successes, const DetailList& failures) {
  std::string out = StrCat("\"successes\":", successes.Json(), ",\"failures\":", failures.Json());
  if (successes.omitted() + failures.omitted() > 0) {
    StrAppend(out, ",\"", kDetailsOmittedProperty, "\":{\"successes\":", successes.omitted(),
              ",\"failures\":", failures.omitted(), "}");
  }
  return out;
}

}  // namespace kizuna::taxii::taxii_internal
