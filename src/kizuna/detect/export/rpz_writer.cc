// Kizuna. A DNS Response Policy Zone (RPZ) whose every rule answers NXDOMAIN ("CNAME .").
//
// The zone (RFC 1035 master file): $ORIGIN and $TTL, an SOA whose serial is the export time
// in seconds, an NS record, then one "owner CNAME ." per trigger, owners relative to the
// origin:
//   evil.example         exact name (domain-name:value = 'evil.example')
//   *.evil.example       names below it (domain-name:value LIKE '%.evil.example')
//   32.1.2.0.192.rpz-ip  answers holding 192.0.2.1; "24.0.2.0.192.rpz-ip" for 192.0.2.0/24
//   128.1.zz.db8.2001.rpz-ip  IPv6: 16-bit words reversed, the longest zero run "zz"
// Names are lower-cased; each owner is written once (a second CNAME would break the zone).
#include <string>

#include "kizuna/base/strings.h"
#include "kizuna/detect/export/key_text.h"
#include "kizuna/detect/export/seen_set.h"
#include "kizuna/detect/export/writers.h"

namespace kizuna::detect {
namespace {

constexpr int kTtl = 300;

// The rpz-ip owner of a block: prefix, then the address in reverse order.
std::string RpzIpOwner(const IpBlock& block) {
  std::string out = StrCat(block.prefix);
  if (!block.v6) {
    const uint32_t a = MaskV4(block.v4, block.prefix);
    for (int shift = 0; shift < 32; shift += 8) StrAppend(out, ".", (a >> shift) & 0xff);
    return out + ".rpz-ip";
  }
  const Ipv6 a = MaskV6(block.v6_address, block.prefix);
  std::array<uint32_t, 8> words;
  for (int i = 0; i < 8; ++i)
    words[static_cast<size_t>(i)] = static_cast<uint32_t>((a >> (112 - 16 * i)) & 0xffff);
  // The longest run of zero words (two or more) becomes "zz".
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && words[static_cast<size_t>(j)] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  for (int i = 7; i >= 0; --i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best) out += ".zz";
      continue;
    }
    StrAppend(out, ".", fmt::format("{:x}", words[static_cast<size_t>(i)]));
  }
  return out + ".rpz-ip";
}

class RpzWriter final : public FormatWriter {
 public:
  explicit RpzWriter(const WriterSettings& settings)
      : max_name_bytes_(253 - std::min<size_t>(253, settings.rpz_origin.size())) {
    const int64_t serial = settings.now_us / 1'000'000 % 4'294'967'296;
    text_.reserve(settings.expected_keys * kReservedBytes);
    seen_.Reserve(settings.expected_keys);
    text_ += StrCat("; Response policy zone written by kizuna export --format rpz\n$ORIGIN ",
                   settings.rpz_origin, "\n$TTL ", kTtl, "\n@ SOA localhost. root.localhost. ",
                   serial, " 3600 600 86400 ", kTtl, "\n@ NS localhost.\n");
  }

  Result Add(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) override {
    std::string owner;
    std::optional<std::string> name;
    if (key.kind == SimpleKey::Kind::kBlock) {
      owner = RpzIpOwner(key.block);
    } else if (std::optional<std::string> address = AddressOf(key)) {
      std::optional<IpBlock> block = ParseIpBlock(*address);
      owner = RpzIpOwner(*block);
    } else if (key.kind == SimpleKey::Kind::kSuffix) {
      if (!(name = DnsName(key.text, max_name_bytes_ - 2)))
        return Refuse(why, "domain suffix is not a DNS name");
      owner = StrCat("*.", *name);
    } else if (key.kind == SimpleKey::Kind::kString && key.slot == Slot::kDomain) {
      if (!(name = DnsName(key.text, max_name_bytes_)))
        return Refuse(why, "domain is not a DNS name");
      owner = std::move(*name);
    } else {
      why = StrCat(KeyKind(key), ": a resolver's policy zone holds names and addresses only");
      return Result::kNotInFormat;
    }
    if (!seen_.Insert("", owner)) return Result::kDuplicate;
    StrAppend(text_, owner, " CNAME . ; ", indicator.id, "\n");
    ++entries_;
    return Result::kWritten;
  }

  std::vector<ExportFile> Finish() && override { return OneFile("kizuna.rpz", std::move(text_)); }

 private:
  // Bytes reserved for each expected record: an owner name and an indicator id.
  static constexpr size_t kReservedBytes = 96;

  static Result Refuse(std::string& why, std::string_view reason) {
    why = std::string(reason);
    return Result::kNotInFormat;
  }

  size_t max_name_bytes_;
  std::string text_;
  SeenSet seen_;
};

}  // namespace

std::unique_ptr<FormatWriter> NewRpzWriter(const WriterSettings& settings) {
  return std::make_unique<RpzWriter>(settings);
}

}  // namespace kizuna::detect
