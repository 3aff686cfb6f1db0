// Kizuna.
#include "kizuna/detect/field_map.h"

#include <initializer_list>

#include "kizuna/base/strings.h"
#include "kizuna/detect/internal/text.h"

namespace kizuna::detect {
namespace {


struct Entry {
  std::string_view log_type;
  std::string_view field;
  Role role;
};

FieldMap Build(std::initializer_list<Entry> entries) {
  FieldMap map;
  for (const Entry& e : entries) map.Add(e.log_type, e.field, e.role);
  return map;
}

// Splits off the first whitespace-separated word of `s`.
std::string_view Word(std::string_view& s) {
  s = Trim(s);
  size_t end = s.find_first_of(" \t");
  std::string_view w = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  return w;
}

}  // namespace

void FieldMap::Add(std::string_view log_type, std::string_view field, Role role) {
  roles_[StrCat(log_type, "\t", field)] = role;
}

Role FieldMap::Find(std::string_view log_type, std::string_view field) const {
  std::string key = StrCat(log_type, "\t", field);
  if (auto it = roles_.find(key); it != roles_.end()) return it->second;
  key = StrCat("*\t", field);
  if (auto it = roles_.find(key); it != roles_.end()) return it->second;
  return Role::kNone;
}

std::vector<std::string> FieldMap::Fields(std::string_view log_type) const {
  std::vector<std::string> out;
  for (const auto& [key, role] : roles_) {
    const size_t tab = key.find('\t');
    const std::string_view type = std::string_view(key).substr(0, tab);
    if (type != log_type && type != "*") continue;
    std::string field = key.substr(tab + 1);
    // A field named for both log_type and "*" is listed once.
    if (type == "*" && log_type != "*" && roles_.contains(StrCat(log_type, "\t", field))) continue;
    out.push_back(std::move(field));
  }
  return out;
}

absl::Status FieldMap::Parse(std::string_view text, std::string_view origin) {
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string_view log_type = Word(line);
    std::string_view field = Word(line);
    std::string_view path = Trim(line);
    if (log_type.empty() || field.empty() || path.empty()) {
      return absl::InvalidArgumentError(
          StrCat(origin, ":", line_number, ": expected 'log-type field path'"));
    }
    std::optional<Role> role = RoleFromPath(path);
    if (!role) {
      return absl::InvalidArgumentError(
          StrCat(origin, ":", line_number, ": unknown path '", path, "'"));
    }
    Add(log_type, field, *role);
  }
  return absl::OkStatus();
}

const FieldMap& ZeekFieldMap() {
  static const FieldMap map = Build({
      {"*", "ts", Role::kTime},
      {"*", "id.orig_h", Role::kSrcIp},
      {"*", "id.orig_p", Role::kSrcPort},
      {"*", "id.resp_h", Role::kDstIp},
      {"*", "id.resp_p", Role::kDstPort},
      {"*", "proto", Role::kProto},
      {"dns", "query", Role::kDomain},
      {"dns", "answers", Role::kHost},
      {"http", "host", Role::kHttpHost},
      {"http", "uri", Role::kHttpUri},
      {"http", "method", Role::kHttpMethod},
      {"http", "user_agent", Role::kUserAgent},
      {"ssl", "server_name", Role::kDomain},
      {"x509", "certificate.serial", Role::kX509Serial},
      {"x509", "fingerprint", Role::kX509Sha256},
      {"x509", "san.dns", Role::kDomain},
      {"x509", "san.ip", Role::kIp},
      {"x509", "san.email", Role::kEmail},
      {"files", "tx_hosts", Role::kIp},
      {"files", "rx_hosts", Role::kIp},
      {"files", "filename", Role::kFileName},
      {"files", "md5", Role::kMd5},
      {"files", "sha1", Role::kSha1},
      {"files", "sha256", Role::kSha256},
      {"smtp", "mailfrom", Role::kEmail},
      {"smtp", "rcptto", Role::kEmail},
      {"smtp", "from", Role::kEmail},
      {"smtp", "to", Role::kEmail},
      {"smtp", "cc", Role::kEmail},
      {"smtp", "reply_to", Role::kEmail},
      {"smtp", "x_originating_ip", Role::kIp},
      {"notice", "src", Role::kSrcIp},
      {"notice", "dst", Role::kDstIp},
      {"notice", "p", Role::kDstPort},
      {"known_hosts", "host", Role::kIp},
      {"known_services", "host", Role::kIp},
      {"known_certs", "host", Role::kIp},
      {"known_certs", "serial", Role::kX509Serial},
      {"software", "host", Role::kIp},
      {"smb_files", "name", Role::kFileName},
      {"ocsp", "serialNumber", Role::kX509Serial},
      {"intel", "seen.indicator", Role::kHost},
  });
  return map;
}

const FieldMap& EveFieldMap() {
  static const FieldMap map = Build({
      {"*", "timestamp", Role::kTime},
      {"*", "src_ip", Role::kSrcIp},
      {"*", "src_port", Role::kSrcPort},
      {"*", "dest_ip", Role::kDstIp},
      {"*", "dest_port", Role::kDstPort},
      {"*", "proto", Role::kProto},
      {"*", "app_proto", Role::kNone},
      {"dns", "dns.rrname", Role::kDomain},
      {"dns", "dns.rdata", Role::kHost},
      {"dns", "dns.queries.rrname", Role::kDomain},
      {"dns", "dns.answers.rrname", Role::kDomain},
      {"dns", "dns.answers.rdata", Role::kHost},
      {"dns", "dns.grouped.A", Role::kIp},
      {"dns", "dns.grouped.AAAA", Role::kIp},
      {"dns", "dns.grouped.CNAME", Role::kDomain},
      {"*", "http.hostname", Role::kHttpHost},
      {"*", "http.url", Role::kHttpUri},
      {"*", "http.http_method", Role::kHttpMethod},
      {"*", "http.http_user_agent", Role::kUserAgent},
      {"*", "tls.sni", Role::kDomain},
      {"*", "tls.serial", Role::kX509Serial},
      {"*", "fileinfo.filename", Role::kFileName},
      {"*", "fileinfo.md5", Role::kMd5},
      {"*", "fileinfo.sha1", Role::kSha1},
      {"*", "fileinfo.sha256", Role::kSha256},
      {"*", "smtp.mail_from", Role::kEmail},
      {"*", "smtp.rcpt_to", Role::kEmail},
      {"*", "email.from", Role::kEmail},
      {"*", "email.to", Role::kEmail},
      {"*", "email.cc", Role::kEmail},
  });
  return map;
}

}  // namespace kizuna::detect
