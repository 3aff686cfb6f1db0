// Kizuna. CSV (RFC 4180): one row per key, every key a simple indicator has.
//
//   indicator_id,kind,value,name,source,link
// Fields holding a comma, a quote or a line end are quoted, quotes doubled. A name starting
// with = + - @ (which a spreadsheet would run as a formula) is written after a single quote.
#include <string>

#include "kizuna/base/strings.h"
#include "kizuna/detect/export/key_text.h"
#include "kizuna/detect/export/seen_set.h"
#include "kizuna/detect/export/writers.h"

namespace kizuna::detect {
namespace {

void AppendCsv(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

class CsvWriter final : public FormatWriter {
 public:
  explicit CsvWriter(const WriterSettings& settings) : settings_(settings) {
    text_.reserve(settings.expected_keys * kReservedBytes);
    text_ = "indicator_id,kind,value,name,source,link\n";
    seen_.Reserve(settings.expected_keys);
  }

  Result Add(const ExportIndicator& indicator, const SimpleKey& key, std::string&) override {
    const std::string_view kind = KeyKind(key);
    const std::string value = KeyValue(key);
    if (!seen_.Insert(kind, value)) return Result::kDuplicate;
    StrAppend(text_, indicator.id, ",", kind, ",");
    AppendCsv(text_, value);
    text_ += ',';
    std::string name(indicator.name);
    if (!name.empty() && std::string_view("=+-@").find(name[0]) != std::string_view::npos)
      name.insert(0, "'");
    AppendCsv(text_, name);
    text_ += ',';
    AppendCsv(text_, settings_.source);
    text_ += ',';
    AppendCsv(text_, indicator.link);
    text_ += '\n';
    ++entries_;
    return Result::kWritten;
  }

  std::vector<ExportFile> Finish() && override { return OneFile("kizuna.csv", std::move(text_)); }

 private:
  // Bytes reserved for each expected line: an id, a value, a name and a link back.
  static constexpr size_t kReservedBytes = 224;

  WriterSettings settings_;
  std::string text_;
  SeenSet seen_;
};

}  // namespace

std::unique_ptr<FormatWriter> NewCsvWriter(const WriterSettings& settings) {
  return std::make_unique<CsvWriter>(settings);
}

}  // namespace kizuna::detect
