// Kizuna.
#include "kizuna/detect/allowlist.h"

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/internal/text.h"
#include "kizuna/detect/lookup/hash.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

using detect_internal::Lower;

constexpr uint8_t kStringKeys = 0;
constexpr uint8_t kHostKeys = 1;
constexpr uint64_t kAllowlistSeed = 0x5eed0a11;
constexpr uint64_t kMaxListFileBytes = 256ull * 1024 * 1024;

uint32_t Bit(Slot s) { return 1u << static_cast<int>(s); }
constexpr uint32_t kAddressSlots = (1u << static_cast<int>(Slot::kIpv4)) |
                                   (1u << static_cast<int>(Slot::kIpv6)) |
                                   (1u << static_cast<int>(Slot::kNetDst));

uint32_t SlotsOfAttribute(std::string_view a) {
  if (a == "ip-src" || a == "ip-dst" || a == "domain|ip" || a == "ip-src|port" ||
      a == "ip-dst|port" || a == "ip") {
    return kAddressSlots | (a == "domain|ip" ? Bit(Slot::kDomain) : 0);
  }
  if (a == "hostname" || a == "domain" || a == "hostname|port") return Bit(Slot::kDomain);
  if (a == "url" || a == "uri" || a == "link") return Bit(Slot::kUrl);
  if (a == "md5" || a == "filename|md5") return Bit(Slot::kFileMd5);
  if (a == "sha1" || a == "filename|sha1") return Bit(Slot::kFileSha1);
  if (a == "sha256" || a == "filename|sha256") return Bit(Slot::kFileSha256);
  if (a == "sha512" || a == "filename|sha512") return Bit(Slot::kFileSha512);
  if (a == "x509-fingerprint-md5") return Bit(Slot::kX509Md5);
  if (a == "x509-fingerprint-sha1") return Bit(Slot::kX509Sha1);
  if (a == "x509-fingerprint-sha256") return Bit(Slot::kX509Sha256);
  if (a == "email-src" || a == "email-dst" || a == "target-email" || a == "email" ||
      a == "whois-registrant-email" || a == "dns-soa-email") {
    return Bit(Slot::kEmail);
  }
  if (a == "user-agent") return Bit(Slot::kUserAgent);
  if (a == "filename") return Bit(Slot::kFileName);
  return 0;
}

// "/re/flags" as MISP writes regexes; RE2 options from the flags.
std::unique_ptr<re2::RE2> CompileRegex(std::string_view entry) {
  std::string_view body = entry;
  bool caseless = false;
  if (entry.size() >= 2 && entry.front() == '/') {
    const size_t end = entry.rfind('/');
    if (end > 0) {
      body = entry.substr(1, end - 1);
      caseless = entry.substr(end + 1).find('i') != std::string_view::npos;
    }
  }
  re2::RE2::Options options;
  options.set_case_sensitive(!caseless);
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(body.data(), body.size()), options);
  if (!re->ok()) return nullptr;
  return re;
}

// The host of a URL ("http://user@Host:80/x" gives "Host"), or empty.
std::string_view UrlHost(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  return HostWithoutPort(rest);
}

}  // namespace

Allowlist::Allowlist() = default;
Allowlist::~Allowlist() = default;
Allowlist::Allowlist(Allowlist&&) noexcept = default;
Allowlist& Allowlist::operator=(Allowlist&&) noexcept = default;

absl::Status Allowlist::Load(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string name = it->path().filename().string();
      if (name == "list.json" || name.ends_with(".txt")) files.push_back(it->path().string());
    }
    if (ec) return absl::NotFoundError(StrCat("cannot list '", path, "': ", ec.message()));
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) KZ_RETURN_IF_ERROR(Load(f));
    return absl::OkStatus();
  }
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path, kMaxListFileBytes));
  const std::string_view view(text.data(), text.size());
  if (std::filesystem::path(path).filename() == "list.json") {
    KZ_RETURN_IF_ERROR(AddMispList(view, path));
  } else {
    AddPlainList(view, std::filesystem::path(path).filename().string());
  }
  if (on_file) on_file(path);
  return absl::OkStatus();
}

absl::Status Allowlist::AddMispList(std::string_view json, std::string_view origin) {
  digest_ = HashBytes(json, HashBytes(origin, digest_ ^ 1));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc)) {
    return absl::InvalidArgumentError(StrCat(origin, ": not JSON: ", simdjson::error_message(error)));
  }
  std::string_view name, type;
  simdjson::dom::array values, attributes;
  if (doc["name"].get(name) || doc["type"].get(type) || doc["list"].get(values)) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": a warninglist needs string `name`, `type` and array `list`"));
  }
  if (!categories.empty()) {
    std::string_view category;
    if (doc["category"].get(category)) category = {};
    const bool wanted = std::any_of(categories.begin(), categories.end(), [&](const std::string& c) {
      return c == type || (!category.empty() && c == category);
    });
    if (!wanted) return absl::OkStatus();
  }
  List list;
  list.name = std::string(name);
  if (type == "cidr") {
    list.type = Type::kCidr;
  } else if (type == "hostname") {
    list.type = Type::kHostname;
  } else if (type == "string") {
    list.type = Type::kString;
  } else if (type == "substring") {
    list.type = Type::kSubstring;
  } else if (type == "regex") {
    list.type = Type::kRegex;
  } else {
    return absl::InvalidArgumentError(StrCat(origin, ": unknown warninglist type '", type, "'"));
  }
  if (!doc["matching_attributes"].get(attributes)) {
    for (simdjson::dom::element a : attributes) {
      std::string_view attr;
      if (!a.get(attr)) list.slots |= SlotsOfAttribute(attr);
    }
  }
  if (list.type == Type::kCidr && list.slots == 0) list.slots = kAddressSlots;
  if (list.slots == 0) return absl::OkStatus();  // nothing we index
  const uint32_t index = static_cast<uint32_t>(lists_.size());
  lists_.push_back(std::move(list));
  for (simdjson::dom::element v : values) {
    std::string_view value;
    if (!v.get(value)) AddEntry(index, value);
  }
  return absl::OkStatus();
}

void Allowlist::AddPlainList(std::string_view text, std::string_view name) {
  digest_ = HashBytes(text, HashBytes(name, digest_ ^ 2));
  if (!categories.empty() && std::find(categories.begin(), categories.end(), "plain") == categories.end()) {
    return;
  }
  const uint32_t cidr = static_cast<uint32_t>(lists_.size());
  lists_.push_back(List{std::string(name), Type::kCidr, kAddressSlots, {}, {}});
  const uint32_t hosts = static_cast<uint32_t>(lists_.size());
  lists_.push_back(List{std::string(name), Type::kHostname,
                        Bit(Slot::kDomain) | Bit(Slot::kUrl), {}, {}});
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    AddEntry(ParseIpBlock(line) ? cidr : hosts, line);
  }
}

void Allowlist::AddEntry(uint32_t index, std::string_view raw) {
  List& list = lists_[index];
  std::string_view value = Trim(raw);
  if (value.empty()) return;
  ++entries_;
  switch (list.type) {
    case Type::kCidr:
      if (std::optional<IpBlock> b = ParseIpBlock(value)) {
        if (b->v6) {
          v6_builder_.Add(MaskV6(b->v6_address, b->prefix), b->prefix, index);
        } else {
          v4_builder_.Add(MaskV4(b->v4, b->prefix), b->prefix, index);
        }
      }
      break;
    case Type::kHostname: {
      while (value.starts_with('.')) value.remove_prefix(1);
      const std::string lower = Lower(value);
      if (lower.size() <= kMaxKeyBytes) exact_builder_.Add(kHostKeys, lower, kExact, index);
      break;
    }
    case Type::kString: {
      const std::string lower = Lower(value);
      if (lower.size() <= kMaxKeyBytes) exact_builder_.Add(kStringKeys, lower, kExact, index);
      break;
    }
    case Type::kSubstring:
      list.substrings.push_back(Lower(value));
      break;
    case Type::kRegex:
      if (auto re = CompileRegex(value)) {
        list.regexes.push_back(std::move(re));
        if (list.regexes.size() == 1) regex_lists_.push_back(index);
      } else {
        ++skipped_regexes_;
      }
      break;
  }
}

void Allowlist::Finish() {
  exact_ = std::move(exact_builder_).Build(kAllowlistSeed, payloads_);
  v4_ = std::move(v4_builder_).Build(payloads_);
  v6_ = std::move(v6_builder_).Build(payloads_);
  for (int slot = 0; slot < kSlotCount; ++slot) {
    SubstringSet::Builder builder;
    for (uint32_t index = 0; index < lists_.size(); ++index) {
      if ((lists_[index].slots & (1u << slot)) == 0) continue;
      for (const std::string& s : lists_[index].substrings) builder.Add(s, index);
    }
    substrings_[slot] = std::move(builder).Build();
  }
  for (List& list : lists_) list.substrings = {};
}

const std::string* Allowlist::FirstCovering(Payload payload, Slot slot) const {
  uint32_t one;
  for (uint32_t list : payloads_.Expand(payload, one)) {
    if (lists_[list].slots & Bit(slot)) return &lists_[list].name;
  }
  return nullptr;
}

const std::string* Allowlist::CheckAddress(Slot slot, const IpBlock& block) const {
  const std::string* found = nullptr;
  auto visit = [&](Payload p) {
    if (found == nullptr) found = FirstCovering(p, slot);
  };
  if (block.v6) {
    v6_.ForEachContaining(MaskV6(block.v6_address, block.prefix), block.prefix, visit);
  } else {
    v4_.ForEachContaining(MaskV4(block.v4, block.prefix), block.prefix, visit);
  }
  return found;
}

// Exact, hostname (for domains: the name and each parent), substring and regex lists.
const std::string* Allowlist::Check(Slot slot, std::string_view text, bool parents) const {
  const std::string* found = nullptr;
  auto visit = [&](Payload p, uint8_t) {
    if (found == nullptr) found = FirstCovering(p, slot);
  };
  exact_.ForEach(kStringKeys, text, exact_.Hash(kStringKeys, text), visit);
  if (found) return found;
  if (parents) {
    for (std::string_view d = text;;) {
      exact_.ForEach(kHostKeys, d, exact_.Hash(kHostKeys, d), visit);
      if (found) return found;
      const size_t dot = d.find('.');
      if (dot == std::string_view::npos) break;
      d.remove_prefix(dot + 1);
    }
  }
  // The first list (in load order) among the substring and regex lists that allows it.
  const uint32_t substring = substrings_[static_cast<int>(slot)].Smallest(text);
  for (uint32_t index : regex_lists_) {
    if (index > substring) break;
    const List& list = lists_[index];
    if ((list.slots & Bit(slot)) == 0) continue;
    for (const auto& re : list.regexes) {
      if (re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re)) return &list.name;
    }
  }
  return substring == SubstringSet::kNone ? nullptr : &lists_[substring].name;
}

const std::string* Allowlist::CheckHost(Slot slot, std::string_view host) const {
  if (host.empty()) return nullptr;
  // Lists apply to a URL's host when they list URLs among their attributes.
  if (std::optional<IpBlock> b = ParseIpBlock(host)) return CheckAddress(slot, *b);
  return Check(slot, Lower(host), true);
}

const std::string* Allowlist::Allows(const SimpleKey& key) const {
  if (lists_.empty()) return nullptr;
  switch (key.kind) {
    case SimpleKey::Kind::kIpv4: {
      IpBlock b;
      b.v4 = key.v4;
      b.prefix = 32;
      if (const std::string* n = CheckAddress(Slot::kIpv4, b)) return n;
      std::array<char, 16> buffer;
      return Check(Slot::kIpv4, FormatIpv4(key.v4, buffer), false);
    }
    case SimpleKey::Kind::kBlock:
      return CheckAddress(key.block.v6 ? Slot::kIpv6 : Slot::kIpv4, key.block);
    case SimpleKey::Kind::kNetDst:
      if (std::optional<IpBlock> b = ParseIpBlock(key.text)) {
        if (const std::string* n = CheckAddress(Slot::kNetDst, *b)) return n;
      }
      return Check(Slot::kNetDst, Lower(key.text), false);
    case SimpleKey::Kind::kSuffix:
      for (std::string_view d = key.text;;) {
        const std::string lower = Lower(d);
        const std::string* found = nullptr;
        exact_.ForEach(kHostKeys, lower, exact_.Hash(kHostKeys, lower), [&](Payload p, uint8_t) {
          if (found == nullptr) found = FirstCovering(p, Slot::kDomain);
        });
        if (found) return found;
        const size_t dot = d.find('.');
        if (dot == std::string_view::npos) return nullptr;
        d.remove_prefix(dot + 1);
      }
    case SimpleKey::Kind::kString:
      break;
  }
  const std::string lower = Lower(key.text);
  switch (key.slot) {
    case Slot::kIpv4:
    case Slot::kIpv6:
      if (std::optional<IpBlock> b = ParseIpBlock(key.text)) {
        if (const std::string* n = CheckAddress(key.slot, *b)) return n;
      }
      return Check(key.slot, lower, false);
    case Slot::kUrl:
      if (const std::string* n = Check(Slot::kUrl, lower, false)) return n;
      return CheckHost(Slot::kUrl, UrlHost(key.text));
    case Slot::kDomain:
      return Check(Slot::kDomain, lower, true);
    default:
      return Check(key.slot, lower, false);
  }
}

}  // namespace kizuna::detect
