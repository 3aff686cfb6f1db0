// Kizuna.
#include "kizuna/detect/observation_builder.h"

#include <array>
#include <optional>

#include "kizuna/base/strings.h"

namespace kizuna::detect {
namespace {

using pattern::Observation;
using NodeId = Observation::NodeId;

uint64_t Bit(std::string_view type) { return Observation::TypeBit(Observation::TypeHash(type)); }

struct Types {
  uint64_t net, v4, v6, domain, url, email, file, x509;
};
const Types& TypeBits() {
  static const Types t{Bit("network-traffic"), Bit("ipv4-addr"), Bit("ipv6-addr"),
                       Bit("domain-name"),     Bit("url"),       Bit("email-addr"),
                       Bit("file"),            Bit("x509-certificate")};
  return t;
}

std::string_view IpType(HostKind k) { return k == HostKind::kIpv6 ? "ipv6-addr" : "ipv4-addr"; }

// The scalar parts of a record's network-traffic object, from the first values.
struct Net {
  std::string_view src, dst, host, uri, method, agent;
  std::optional<uint32_t> src_port, dst_port;
  bool any = false;
};

class Scos {
 public:
  explicit Scos(Observation& obs) : obs_(obs) {}
  NodeId Add(std::string_view type) {
    key_ = StrCat(count_++);
    return obs_.AddSco(type, key_);
  }
  std::string_view last_key() const { return key_; }
  void AddValue(std::string_view type, std::string_view value) {
    obs_.AddString(Add(type), "value", value);
  }

 private:
  Observation& obs_;
  std::string key_;
  int count_ = 0;
};

// File or certificate objects: the first value of each property in one object, further
// values each in an object of their own.
class Grouped {
 public:
  Grouped(Observation& obs, Scos& scos, std::string_view type) : obs_(obs), scos_(scos), type_(type) {}
  void Add(std::string_view key, std::string_view value, bool hash, int index) {
    NodeId target;
    if (!(used_ & (1u << index))) {
      used_ |= 1u << index;
      if (main_ == Observation::kNoNode) main_ = scos_.Add(type_);
      target = main_;
      if (hash) {
        if (main_hashes_ == Observation::kNoNode) main_hashes_ = obs_.AddObject(main_, "hashes");
        target = main_hashes_;
      }
    } else {
      target = scos_.Add(type_);
      if (hash) target = obs_.AddObject(target, "hashes");
    }
    obs_.AddString(target, key, value);
  }

 private:
  Observation& obs_;
  Scos& scos_;
  std::string_view type_;
  NodeId main_ = Observation::kNoNode;
  NodeId main_hashes_ = Observation::kNoNode;
  uint32_t used_ = 0;
};

}  // namespace

stix::Timestamp EventTimestamp(int64_t time_us) {
  stix::Timestamp t;
  // Floor division without negating: -time_us overflows for INT64_MIN.
  int64_t micros = time_us % 1000000;
  t.seconds = time_us / 1000000;
  if (micros < 0) {
    micros += 1000000;
    --t.seconds;
  }
  t.nanos = static_cast<int32_t>(micros * 1000);
  return t;
}

bool ObservationBuilder::Build(const RecordBatch& batch, const Record& record,
                               Observation& obs) {
  obs.Clear();
  obs.SetId(StrCat("observed-data--", record.log_type, "-", record.line));
  const stix::Timestamp t = EventTimestamp(record.time_us);
  obs.SetTimes(t, t);
  obs.SetCount(1);
  Scos scos(obs);
  Net net;
  bool has_url = false;
  std::array<std::string_view, 8> protos;
  size_t proto_count = 0;
  Grouped file(obs, scos, "file");
  Grouped cert(obs, scos, "x509-certificate");
  for (const FieldValue& v : batch.ValuesOf(record)) {
    switch (v.role) {
      case Role::kSrcIp:
        if (net.src.empty()) net.src = v.value;
        net.any = true;
        break;
      case Role::kDstIp:
        if (net.dst.empty()) net.dst = v.value;
        net.any = true;
        break;
      case Role::kSrcPort:
        if (!net.src_port) net.src_port = ParsePort(v.value);
        net.any = true;
        break;
      case Role::kDstPort:
        if (!net.dst_port) net.dst_port = ParsePort(v.value);
        net.any = true;
        break;
      case Role::kProto:
        if (proto_count < protos.size()) protos[proto_count++] = v.value;
        net.any = true;
        break;
      case Role::kHttpHost:
        if (net.host.empty()) net.host = v.value;
        net.any = true;
        break;
      case Role::kHttpUri:
        if (net.uri.empty()) net.uri = v.value;
        net.any = true;
        break;
      case Role::kHttpMethod:
        if (net.method.empty()) net.method = v.value;
        net.any = true;
        break;
      case Role::kUserAgent:
        if (net.agent.empty()) net.agent = v.value;
        net.any = true;
        break;
      case Role::kUrl:
        has_url = true;
        scos.AddValue("url", v.value);
        break;
      default:
        break;
    }
  }
  if (net.any) {
    NodeId nt = scos.Add("network-traffic");
    if (!net.src.empty()) {
      NodeId ip = scos.Add(IpType(IpKind(net.src)));
      obs.AddString(ip, "value", net.src);
      obs.AddString(nt, "src_ref", scos.last_key());
    }
    if (!net.dst.empty()) {
      NodeId ip = scos.Add(IpType(IpKind(net.dst)));
      obs.AddString(ip, "value", net.dst);
      obs.AddString(nt, "dst_ref", scos.last_key());
    }
    if (net.src_port) obs.AddInt(nt, "src_port", *net.src_port);
    if (net.dst_port) obs.AddInt(nt, "dst_port", *net.dst_port);
    if (proto_count > 0) {
      NodeId list = obs.AddList(nt, "protocols");
      for (size_t i = 0; i < proto_count; ++i) {
        text_.assign(protos[i]);
        for (char& c : text_) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        obs.AddString(list, "", text_);
      }
    }
    if (!net.host.empty() || !net.uri.empty() || !net.method.empty() || !net.agent.empty()) {
      NodeId ext = obs.AddObject(obs.AddObject(nt, "extensions"), "http-request-ext");
      if (!net.method.empty()) obs.AddString(ext, "request_method", net.method);
      if (!net.uri.empty()) obs.AddString(ext, "request_value", net.uri);
      if (!net.host.empty() || !net.agent.empty()) {
        NodeId headers = obs.AddObject(ext, "request_header");
        if (!net.host.empty()) obs.AddString(headers, "Host", net.host);
        if (!net.agent.empty()) obs.AddString(headers, "User-Agent", net.agent);
      }
    }
  }
  if (!has_url) {
    std::string_view url = ComposeUrl(net.host, net.uri, text_);
    if (!url.empty()) scos.AddValue("url", url);
  }
  std::string lowered;  // a domain name with capitals, lowered (LowerDomain)
  for (const FieldValue& v : batch.ValuesOf(record)) {
    switch (v.role) {
      case Role::kSrcIp:
      case Role::kDstIp:
        // The first of each is already an object, referenced from network-traffic.
        if ((v.role == Role::kSrcIp && v.value.data() == net.src.data()) ||
            (v.role == Role::kDstIp && v.value.data() == net.dst.data())) {
          break;
        }
        [[fallthrough]];
      case Role::kIp:
        scos.AddValue(IpType(IpKind(v.value)), v.value);
        break;
      case Role::kHost:
      case Role::kHttpHost: {
        const std::string_view host = v.role == Role::kHost ? v.value : HostWithoutPort(v.value);
        const HostKind k = HostKindOf(host);
        if (k == HostKind::kDomain) {
          scos.AddValue("domain-name", LowerDomain(host, lowered));
        } else {
          scos.AddValue(IpType(k), host);
        }
        break;
      }
      case Role::kDomain:
        scos.AddValue("domain-name", LowerDomain(v.value, lowered));
        break;
      case Role::kEmail:
        scos.AddValue("email-addr", EmailAddressOf(v.value));
        break;
      case Role::kFileName: file.Add("name", v.value, false, 0); break;
      case Role::kMd5: file.Add("MD5", v.value, true, 1); break;
      case Role::kSha1: file.Add("SHA-1", v.value, true, 2); break;
      case Role::kSha256: file.Add("SHA-256", v.value, true, 3); break;
      case Role::kSha512: file.Add("SHA-512", v.value, true, 4); break;
      case Role::kX509Md5: cert.Add("MD5", v.value, true, 1); break;
      case Role::kX509Sha1: cert.Add("SHA-1", v.value, true, 2); break;
      case Role::kX509Sha256: cert.Add("SHA-256", v.value, true, 3); break;
      case Role::kX509Serial: cert.Add("serial_number", v.value, false, 0); break;
      default:
        break;
    }
  }
  return !obs.overflowed();
}

uint64_t ObservationBuilder::TypeMask(const RecordBatch& batch, const Record& record) {
  const Types& t = TypeBits();
  uint64_t mask = 0;
  for (const FieldValue& v : batch.ValuesOf(record)) {
    switch (v.role) {
      case Role::kSrcIp:
      case Role::kDstIp:
        mask |= t.net | t.v4 | t.v6;
        break;
      case Role::kSrcPort:
      case Role::kDstPort:
      case Role::kProto:
      case Role::kHttpMethod:
      case Role::kUserAgent:
        mask |= t.net;
        break;
      case Role::kHttpHost:
      case Role::kHttpUri:
        mask |= t.net | t.url | t.v4 | t.v6 | t.domain;
        break;
      case Role::kIp:
        mask |= t.v4 | t.v6;
        break;
      case Role::kHost:
        mask |= t.v4 | t.v6 | t.domain;
        break;
      case Role::kDomain: mask |= t.domain; break;
      case Role::kUrl: mask |= t.url; break;
      case Role::kEmail: mask |= t.email; break;
      case Role::kFileName:
      case Role::kMd5:
      case Role::kSha1:
      case Role::kSha256:
      case Role::kSha512:
        mask |= t.file;
        break;
      case Role::kX509Md5:
      case Role::kX509Sha1:
      case Role::kX509Sha256:
      case Role::kX509Serial:
        mask |= t.x509;
        break;
      case Role::kNone:
      case Role::kTime:
        break;
    }
  }
  return mask;
}

}  // namespace kizuna::detect
