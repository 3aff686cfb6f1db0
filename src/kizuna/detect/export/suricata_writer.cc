// Kizuna. Suricata: datasets and hash lists, and the rules that use them.
//
// Files (load them from Suricata's rule directory):
//   kizuna.rules          the rules below
//   kizuna-domains.lst    dataset of type string (one base64 value a line, as Suricata's
//                         datasets store strings): lower-cased names, matched by dns.query,
//                         http.host and tls.sni
//   kizuna-ip.lst         dataset of type ip: IPv4 and IPv6 addresses, matched by ip.src
//                         and ip.dst
//   kizuna-md5.txt, kizuna-sha1.txt, kizuna-sha256.txt   hash lists of filemd5, filesha1,
//                         filesha256 (files seen in HTTP)
// A list's rules are written only when it holds a value. They have fixed sids
// (kFirstListSid...). Keys a list cannot hold get a rule each: CIDR blocks (ip any any <>
// block), address and port (tcp and udp rules) and http:// URLs (http.host and
// http.uri.raw, each content with its exact length); their sid is kFirstKeySid plus a hash
// of the indicator id and the key, modulo kKeySids, so an indicator keeps its sids from one
// export to the next; two keys whose hashes collide take the next free sid in the order of
// (preferred sid, id, key).
#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/export/key_text.h"
#include "kizuna/detect/export/seen_set.h"
#include "kizuna/detect/export/writers.h"

namespace kizuna::detect {
namespace {

constexpr uint32_t kFirstListSid = 2'999'999'901u;
constexpr uint32_t kFirstKeySid = 3'000'000'000u;
constexpr uint32_t kKeySids = 1'000'000'000u;
constexpr size_t kMaxMessageBytes = 120;

// Text safe inside a rule's msg: printable ASCII without '"', ';' and '\'.
std::string MessageText(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxMessageBytes)) {
    const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != ';' && c != '\\';
    out += plain ? c : '_';
  }
  return out;
}

// A content value: '"', ';', '\', '|' and bytes outside printable ASCII as |HH|.
std::string ContentText(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != ';' && c != '\\' && c != '|') {
      out += c;
    } else {
      out += fmt::format("|{:02X}|", u);
    }
  }
  return out;
}

struct List {
  std::string file;
  std::string text;
  int64_t values = 0;
};

struct KeyRule {
  uint32_t offset = 0;  // the sid's preferred offset from kFirstKeySid
  std::string id;
  std::string key;
  std::string head;  // the rule up to its options
  std::string body;  // the options before sid
};

class SuricataWriter final : public FormatWriter {
 public:
  explicit SuricataWriter(const WriterSettings&) {}

  Result Add(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) override {
    const std::string_view kind = KeyKind(key);
    if (std::optional<std::string> address = AddressOf(key)) return ToList(ip_, *address, *address);
    switch (key.kind) {
      case SimpleKey::Kind::kBlock:
        return ToRule(indicator, key,
                      StrCat("alert ip any any <> ", FormatBlock(key.block), " any"), "");
      case SimpleKey::Kind::kNetDst:
        return NetDst(indicator, key, why);
      case SimpleKey::Kind::kSuffix:
        why = "domain suffix: datasets match exact values only";
        return Result::kNotInFormat;
      case SimpleKey::Kind::kIpv4:
      case SimpleKey::Kind::kString:
        break;
    }
    switch (key.slot) {
      case Slot::kDomain: {
        std::optional<std::string> name = DnsName(key.text);
        if (!name) break;
        return ToList(domains_, *name, Base64Encode(*name));
      }
      case Slot::kFileMd5:
        return ToList(md5_, key.text, Lower(key.text));
      case Slot::kFileSha1:
        return ToList(sha1_, key.text, Lower(key.text));
      case Slot::kFileSha256:
        return ToList(sha256_, key.text, Lower(key.text));
      case Slot::kUrl:
        return Url(indicator, key, why);
      default:
        break;
    }
    why = StrCat(kind, ": no Suricata dataset or rule is written for it");
    return Result::kNotInFormat;
  }

  std::vector<ExportFile> Finish() && override {
    std::string rules = "# Suricata rules written by kizuna export --format suricata\n";
    if (domains_.values > 0) {
      const std::string set = "dataset:isset,kizuna-domains,type string,load kizuna-domains.lst;";
      ListRule(rules, 0, "dns", "DNS query for a listed name",
               StrCat("dns.query; to_lowercase; ", set));
      ListRule(rules, 1, "http", "HTTP host is a listed name", StrCat("http.host; ", set));
      ListRule(rules, 2, "tls", "TLS SNI is a listed name", StrCat("tls.sni; to_lowercase; ", set));
    }
    if (ip_.values > 0) {
      const std::string set = "dataset:isset,kizuna-ip,type ip,load kizuna-ip.lst;";
      ListRule(rules, 3, "ip", "traffic to a listed address", StrCat("ip.dst; ", set));
      ListRule(rules, 4, "ip", "traffic from a listed address", StrCat("ip.src; ", set));
    }
    if (md5_.values > 0)
      ListRule(rules, 5, "http", "file with a listed MD5", "filemd5:kizuna-md5.txt;");
    if (sha1_.values > 0)
      ListRule(rules, 6, "http", "file with a listed SHA-1", "filesha1:kizuna-sha1.txt;");
    if (sha256_.values > 0) {
      ListRule(rules, 7, "http", "file with a listed SHA-256", "filesha256:kizuna-sha256.txt;");
    }
    AppendKeyRules(rules);
    std::vector<ExportFile> files = OneFile("kizuna.rules", std::move(rules));
    for (List* list : {&domains_, &ip_, &md5_, &sha1_, &sha256_}) {
      if (list->values > 0) files.push_back({list->file, std::move(list->text)});
    }
    return files;
  }

 private:
  static std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  Result ToList(List& list, std::string_view value, std::string_view line) {
    if (!seen_.Insert(list.file, value)) return Result::kDuplicate;
    StrAppend(list.text, line, "\n");
    ++list.values;
    ++entries_;
    return Result::kWritten;
  }

  Result ToRule(const ExportIndicator& indicator, const SimpleKey& key, std::string head,
                std::string body, std::string_view variant = {}) {
    std::string key_text = StrCat(KeyKind(key), " ", KeyValue(key), variant);
    if (!seen_.Insert("rule", key_text)) return Result::kDuplicate;
    std::string name = MessageText(indicator.name.empty() ? indicator.id : indicator.name);
    StrAppend(body, " metadata:kizuna_indicator ", indicator.id, ";");
    body.insert(0, StrCat("msg:\"Kizuna: ", name, "\";"));
    rules_.push_back({static_cast<uint32_t>(Fnv1a(indicator.id, key_text) % kKeySids),
                      std::string(indicator.id), std::move(key_text), std::move(head),
                      std::move(body)});
    ++entries_;
    return Result::kWritten;
  }

  Result NetDst(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) {
    std::optional<std::string> address;
    if (ParseIpv4(key.text)) address = key.text;
    if (!address) address = CanonicalIpv6(key.text);
    if (!address) {
      why = "address and port: the address is not an IP address";
      return Result::kNotInFormat;
    }
    Result tcp = ToRule(indicator, key, StrCat("alert tcp any any -> ", *address, " ", key.port),
                        "", " tcp");
    Result udp = ToRule(indicator, key, StrCat("alert udp any any -> ", *address, " ", key.port),
                        "", " udp");
    return tcp == Result::kWritten || udp == Result::kWritten ? Result::kWritten
                                                              : Result::kDuplicate;
  }

  Result Url(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) {
    std::string_view url = key.text;
    if (!url.starts_with("http://")) {
      why = "URL not http://: Suricata sees only cleartext HTTP URLs";
      return Result::kNotInFormat;
    }
    url.remove_prefix(7);
    url = url.substr(0, url.find('#'));
    const size_t slash = url.find_first_of("/?");
    std::string_view host = url.substr(0, slash);
    std::string path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (path.front() == '?') path.insert(0, "/");
    if (!host.starts_with('[')) host = host.substr(0, host.find(':'));
    std::optional<std::string> name = DnsName(host);
    if (!name && !ParseIpv4(host)) {
      why = "URL: the host is not a DNS name or an IPv4 address";
      return Result::kNotInFormat;
    }
    const std::string h = name ? *name : std::string(host);
    return ToRule(indicator, key, "alert http any any -> any any",
                  StrCat(" flow:established,to_server; http.host; content:\"", ContentText(h),
                         "\"; bsize:", h.size(), "; http.uri.raw; content:\"", ContentText(path),
                         "\"; bsize:", path.size(), ";"));
  }

  static void ListRule(std::string& out, uint32_t n, std::string_view proto, std::string_view what,
                       std::string_view options) {
    StrAppend(out, "alert ", proto, " any any -> any any (msg:\"Kizuna: ", what, "\"; ", options,
              " sid:", kFirstListSid + n, "; rev:1;)\n");
  }

  void AppendKeyRules(std::string& out) {
    std::sort(rules_.begin(), rules_.end(), [](const KeyRule& a, const KeyRule& b) {
      return std::tie(a.offset, a.id, a.key) < std::tie(b.offset, b.id, b.key);
    });
    absl::flat_hash_set<uint32_t> used;
    for (const KeyRule& r : rules_) {
      uint32_t offset = r.offset;
      while (!used.insert(offset).second) offset = (offset + 1) % kKeySids;
      StrAppend(out, r.head, " (", r.body, " sid:", kFirstKeySid + offset, "; rev:1;)\n");
    }
  }

  List domains_{"kizuna-domains.lst", "", 0};
  List ip_{"kizuna-ip.lst", "", 0};
  List md5_{"kizuna-md5.txt", "", 0};
  List sha1_{"kizuna-sha1.txt", "", 0};
  List sha256_{"kizuna-sha256.txt", "", 0};
  std::vector<KeyRule> rules_;
  SeenSet seen_;
};

}  // namespace

std::unique_ptr<FormatWriter> NewSuricataWriter(const WriterSettings& settings) {
  return std::make_unique<SuricataWriter>(settings);
}

}  // namespace kizuna::detect
