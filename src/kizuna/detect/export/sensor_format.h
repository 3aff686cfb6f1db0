// Kizuna. The sensor export formats and the writers that lay keys out in each.
#pragma once

// A FormatWriter receives the keys (detect/classify.h) of usable indicators, one at a time,
// and lays out the files of one format. What each format can express:
//
//   zeek-intel  Zeek Intelligence Framework file: Intel::ADDR (IPv4, IPv6), Intel::SUBNET
//               (CIDR blocks), Intel::DOMAIN (exact names), Intel::URL (http:// URLs, written
//               without the scheme, as Zeek sees them), Intel::EMAIL, Intel::FILE_HASH (MD5,
//               SHA-1, SHA-256), Intel::FILE_NAME, Intel::CERT_HASH (x509 SHA-1).
//   suricata    datasets and lists with the rules that use them: domain names (dns.query,
//               http.host, tls.sni), addresses (ip.src, ip.dst), file hashes (filemd5,
//               filesha1, filesha256); one rule per key for CIDR blocks, address and port,
//               and http:// URLs, with a sid derived from the indicator id and the key.
//   rpz         a DNS Response Policy Zone answering NXDOMAIN (CNAME .): exact names, domain
//               suffixes (*.name), IPv4 and IPv6 addresses and blocks (rpz-ip triggers).
//   csv         every key: indicator id, kind, value, name, source, link.
// Keys a format cannot express are refused with the reason.
//
// Thread-safety: a FormatWriter belongs to one thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/detect/classify.h"

namespace kizuna::detect {

enum class SensorFormat : uint8_t { kZeekIntel, kSuricata, kRpz, kCsv };

// "zeek-intel", "suricata", "rpz", "csv"; nullopt for any other name.
std::optional<SensorFormat> ParseSensorFormat(std::string_view name);
std::string_view SensorFormatName(SensorFormat format);

// One file of an export: Zeek, RPZ and CSV give one, Suricata a rules file and its lists.
struct ExportFile {
  std::string name;  // a plain file name, e.g. "kizuna.rules"
  std::string text;
};

// What a writer knows of the indicator a key comes from.
struct ExportIndicator {
  std::string_view id;    // indicator--UUID
  std::string_view name;  // may be empty
  std::string_view link;  // back to the object
};

struct WriterSettings {
  std::string source = "kizuna";           // Zeek meta.source, CSV source
  std::string rpz_origin = "rpz.kizuna.";  // REQUIRES: a DNS name ending in '.'
  int64_t now_us = 0;                      // the RPZ serial (seconds)
  // About how many keys Add will be given (a hint, 0 when unknown): the writer reserves room
  // for their text at once, as address space that costs memory only once written, instead
  // of growing (and copying) its text many times.
  size_t expected_keys = 0;
};

class FormatWriter {
 public:
  enum class Result : uint8_t { kWritten, kDuplicate, kNotInFormat };

  virtual ~FormatWriter() = default;
  // Lays out `key` of `indicator`. kNotInFormat sets `why` (e.g. "domain suffix: Zeek
  // matches exact names only"); kDuplicate: the same entry was written before.
  virtual Result Add(const ExportIndicator& indicator, const SimpleKey& key, std::string& why) = 0;
  // The files, complete. The writer is spent afterwards.
  virtual std::vector<ExportFile> Finish() && = 0;
  // Entries written so far (lines, rules and list values).
  int64_t entries() const { return entries_; }

 protected:
  int64_t entries_ = 0;
};

std::unique_ptr<FormatWriter> NewFormatWriter(SensorFormat format, const WriterSettings& settings);

}  // namespace kizuna::detect
