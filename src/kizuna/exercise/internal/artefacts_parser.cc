// Kizuna.
#include "kizuna/exercise/internal/artefacts_parser.h"

#include "kizuna/base/status.h"

namespace kizuna::exercise_internal {
namespace {

using exercise::Artefacts;

// Most bytes a connection may say it carried (1 TiB).
constexpr int64_t kMaxBytes = int64_t{1} << 40;
// Most times a set of artefacts may repeat within its window.
constexpr int64_t kMaxRepeat = 1'000'000;

FieldReader::Handler Port(const FieldReader& r, uint16_t& out) {
  return [&r, &out](const YAML::Node& n, const std::string& p) {
    int64_t v = 0;
    KZ_RETURN_IF_ERROR(r.Integer(n, p, 1, 65535, v));
    out = static_cast<uint16_t>(v);
    return absl::OkStatus();
  };
}

FieldReader::Handler Count(const FieldReader& r, int64_t max, uint64_t& out) {
  return [&r, max, &out](const YAML::Node& n, const std::string& p) {
    int64_t v = 0;
    KZ_RETURN_IF_ERROR(r.Integer(n, p, 0, max, v));
    out = static_cast<uint64_t>(v);
    return absl::OkStatus();
  };
}

// Reads a list at `path`, each element with `read`.
template <typename T, typename F>
FieldReader::Handler List(const FieldReader& r, std::vector<T>& out, F read) {
  return [&r, &out, read](const YAML::Node& n, const std::string& p) {
    return r.Each(n, p, [&](const YAML::Node& item, const std::string& ip) {
      return read(item, ip, out.emplace_back());
    });
  };
}

}  // namespace

absl::Status ReadArtefacts(const FieldReader& r, const YAML::Node& node, const std::string& path,
                           Artefacts& out) {
  auto dns = [&r](const YAML::Node& n, const std::string& p, exercise::DnsArtefact& a) {
    return r.Walk(
        n, p,
        {{"query", r.Str(a.query)}, {"qtype", r.Str(a.qtype)}, {"answers", r.StrList(a.answers)}},
        {"query"});
  };
  auto conn = [&r](const YAML::Node& n, const std::string& p, exercise::ConnArtefact& a) {
    return r.Walk(n, p,
                  {{"dst", r.Str(a.dst)},
                   {"port", Port(r, a.port)},
                   {"proto", r.Str(a.proto)},
                   {"service", r.Str(a.service)},
                   {"orig_bytes", Count(r, kMaxBytes, a.orig_bytes)},
                   {"resp_bytes", Count(r, kMaxBytes, a.resp_bytes)}},
                  {"dst", "port"});
  };
  auto http = [&r](const YAML::Node& n, const std::string& p, exercise::HttpArtefact& a) {
    return r.Walk(n, p,
                  {{"dst", r.Str(a.dst)},
                   {"port", Port(r, a.port)},
                   {"method", r.Str(a.method)},
                   {"host", r.Str(a.host)},
                   {"uri", r.Str(a.uri)},
                   {"user_agent", r.Str(a.user_agent)},
                   {"status", Port(r, a.status)}},
                  {"dst", "host"});
  };
  auto tls = [&r](const YAML::Node& n, const std::string& p, exercise::TlsArtefact& a) {
    return r.Walk(n, p,
                  {{"dst", r.Str(a.dst)},
                   {"port", Port(r, a.port)},
                   {"sni", r.Str(a.sni)},
                   {"subject", r.Str(a.subject)},
                   {"issuer", r.Str(a.issuer)}},
                  {"dst", "sni"});
  };
  auto file = [&r](const YAML::Node& n, const std::string& p, exercise::FileArtefact& a) {
    return r.Walk(n, p,
                  {{"dst", r.Str(a.dst)},
                   {"name", r.Str(a.name)},
                   {"mime", r.Str(a.mime)},
                   {"md5", r.Str(a.md5)},
                   {"sha1", r.Str(a.sha1)},
                   {"sha256", r.Str(a.sha256)},
                   {"size", Count(r, kMaxBytes, a.size)}},
                  {"name", "sha256"});
  };
  auto notice = [&r](const YAML::Node& n, const std::string& p, exercise::NoticeArtefact& a) {
    return r.Walk(n, p, {{"note", r.Str(a.note)}, {"msg", r.Str(a.msg)}}, {"note"});
  };
  return r.Walk(node, path,
                {{"dns", List(r, out.dns, dns)},
                 {"connections", List(r, out.connections, conn)},
                 {"http", List(r, out.http, http)},
                 {"tls", List(r, out.tls, tls)},
                 {"files", List(r, out.files, file)},
                 {"notices", List(r, out.notices, notice)},
                 {"repeat", [&](const YAML::Node& n, const std::string& p) {
                    int64_t v = 0;
                    KZ_RETURN_IF_ERROR(r.Integer(n, p, 1, kMaxRepeat, v));
                    out.repeat = static_cast<uint32_t>(v);
                    return absl::OkStatus();
                  }}});
}

}  // namespace kizuna::exercise_internal
