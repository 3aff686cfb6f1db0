// Kizuna. The Zeek Intelligence Framework file: one tab-separated line per indicator value.
//
// Format (Zeek's input framework, ASCII reader): a "#fields" line naming the columns, then
// one line per item, fields separated by a tab; "-" is an unset field. Values are written
// with \xHH escapes for the backslash, tabs, line ends and other control characters, which
// the reader undoes, and a value that is exactly "-" or "(empty)" is escaped likewise.
// Domain names are lower-cased (DNS names are case-insensitive).
#include <algorithm>
#include <string>

#include "kizuna/base/strings.h"
#include "kizuna/detect/export/key_text.h"
#include "kizuna/detect/export/seen_set.h"
#include "kizuna/detect/export/writers.h"

namespace kizuna::detect {
namespace {

void AppendField(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += '-';
    return;
  }
  const bool reserved = value == "-" || value == "(empty)";
  const bool plain = !reserved && std::all_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c != 0x7f && c != '\\';
  });
  if (plain) {
    out += value;
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7f || c == '\\' || (reserved && i == 0)) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

class ZeekIntelWriter final : public FormatWriter {
 public:
  explicit ZeekIntelWriter(const WriterSettings& settings) : settings_(settings) {
    text_.reserve(settings.expected_keys * kReservedBytes);
    text_ = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n";
    seen_.Reserve(settings.expected_keys);
  }

  Result Add(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) override {
    std::string value;
    std::string_view type = TypeOf(key, value, why);
    if (type.empty()) return Result::kNotInFormat;
    if (!seen_.Insert(type, value)) return Result::kDuplicate;
    AppendField(text_, value);
    StrAppend(text_, "\t", type, "\t");
    AppendField(text_, settings_.source);
    text_ += '\t';
    AppendField(text_, indicator.name.empty() ? indicator.id : indicator.name);
    text_ += '\t';
    AppendField(text_, indicator.link);
    text_ += '\n';
    ++entries_;
    return Result::kWritten;
  }

  std::vector<ExportFile> Finish() && override { return OneFile("kizuna.intel", std::move(text_)); }

 private:
  // Bytes reserved for each expected line: a value, a name and a link back.
  static constexpr size_t kReservedBytes = 192;

  // The Intel type of `key` and its value, or "" with `why`.
  static std::string_view TypeOf(const SimpleKey& key, std::string& value, std::string& why) {
    if (std::optional<std::string> address = AddressOf(key)) {
      value = *address;
      return "Intel::ADDR";
    }
    switch (key.kind) {
      case SimpleKey::Kind::kBlock:
        value = FormatBlock(key.block);
        return "Intel::SUBNET";
      case SimpleKey::Kind::kSuffix:
        why = "domain suffix: Zeek's Intel::DOMAIN matches exact names only";
        return "";
      case SimpleKey::Kind::kNetDst:
        why = "address and port: Zeek intel has no such type";
        return "";
      case SimpleKey::Kind::kIpv4:
      case SimpleKey::Kind::kString:
        break;
    }
    value = key.text;
    switch (key.slot) {
      case Slot::kDomain:
        if (std::optional<std::string> name = DnsName(key.text)) {
          value = *name;
          return "Intel::DOMAIN";
        }
        why = "domain is not a DNS name";
        return "";
      case Slot::kEmail:
        return "Intel::EMAIL";
      case Slot::kFileName:
        return "Intel::FILE_NAME";
      case Slot::kFileMd5:
      case Slot::kFileSha1:
      case Slot::kFileSha256:
        return "Intel::FILE_HASH";
      case Slot::kX509Sha1:
        return "Intel::CERT_HASH";
      case Slot::kUrl:
        if (value.starts_with("http://")) {
          value.erase(0, 7);
          return "Intel::URL";
        }
        why = "URL not http://: Zeek sees only cleartext HTTP URLs";
        return "";
      default:
        break;
    }
    why = StrCat(KeyKind(key), ": no Zeek intel type matches it");
    return "";
  }

  WriterSettings settings_;
  std::string text_;
  SeenSet seen_;
};

}  // namespace

std::unique_ptr<FormatWriter> NewZeekIntelWriter(const WriterSettings& settings) {
  return std::make_unique<ZeekIntelWriter>(settings);
}

}  // namespace kizuna::detect
