// Kizuna. Fuzz target: STIX documents through the reader and the per-object parser, as
// `kizuna import` and TAXII POST run them. Any input must end in spans or errors, never a
// crash, a hang or an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"
#include "simdjson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  simdjson::padded_string text(reinterpret_cast<const char*>(data), size);
  static kizuna::stix::ObjectParser parser_instance;
  kizuna::stix::ObjectParser* parser = &parser_instance;
  kizuna::stix::DocumentReader reader(text);
  kizuna::stix::ObjectSpan span;
  for (int i = 0; i < 100000; ++i) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok() || !*more) break;
    (void)reader.Locate(span.offset);
    if (span.error.empty()) (void)parser->Parse(span.json, kizuna::stix::Padding::kPresent);
  }
  return 0;
}
