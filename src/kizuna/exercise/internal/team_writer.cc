// Kizuna.
#include "kizuna/exercise/internal/team_writer.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"

namespace kizuna::exercise_internal {
namespace {

// A file's buffer is handed to the sink when it holds this much.
constexpr size_t kFlushBytes = size_t{1} << 20;

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Zeek-like ids: a letter and 17 base-62 characters.
void MakeUid(char letter, uint64_t rnd, char (&out)[18]) {
  static constexpr char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  out[0] = letter;
  uint64_t a = Mix(rnd), b = Mix(rnd ^ 0x5851f42d4c957f2dULL);
  for (int i = 1; i < 18; ++i) {
    uint64_t& x = i < 10 ? a : b;
    out[i] = kChars[x % 62];
    x /= 62;
  }
}

uint64_t QtypeNumber(std::string_view t) {
  if (t == "AAAA") return 28;
  if (t == "TXT") return 16;
  if (t == "CNAME") return 5;
  if (t == "MX") return 15;
  if (t == "NS") return 2;
  return 1;
}

}  // namespace

std::string_view Ipv4Text(uint32_t ip, char (&buf)[16]) {
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    unsigned v = (ip >> shift) & 0xff;
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (shift > 0) *p++ = '.';
  }
  return std::string_view(buf, static_cast<size_t>(p - buf));
}

TeamWriter::TeamWriter(std::string_view team, const exercise::GenerateOptions& options,
                       std::span<const std::string> labels, exercise::TelemetrySink& sink,
                       exercise::GenerateSummary& summary, int64_t open_us)
    : team_(team),
      options_(options),
      labels_(labels),
      sink_(sink),
      summary_(summary),
      open_us_(open_us),
      label_counts_(labels.size(), 0) {
  for (int i = 0; i < kLogCount; ++i) {
    tsv_[i].name = StrCat(team_, "/", LogName(static_cast<Log>(i)), ".log");
    json_[i].name = StrCat(team_, "/json/", LogName(static_cast<Log>(i)), ".log");
  }
  eve_.name = StrCat(team_, "/eve.json");
  eve_.eve = true;
  truth_.name = "truth.tsv";
}

absl::Status TeamWriter::Begin() {
  if (options_.zeek_tsv) {
    for (int i = 0; i < kLogCount; ++i) {
      tsv_[i].buf = TsvHeader(static_cast<Log>(i), open_us_);
      tsv_[i].lines = 8;
    }
  }
  return absl::OkStatus();
}

absl::Status TeamWriter::Flush(Out& out, size_t at_least) {
  if (out.buf.size() < at_least || out.buf.empty()) return absl::OkStatus();
  if (&out != &truth_) {
    summary_.bytes += out.buf.size();
    if (out.eve) summary_.eve_bytes += out.buf.size();
  }
  KZ_RETURN_IF_ERROR(sink_.Write(out.name, out.buf));
  out.buf.clear();
  return absl::OkStatus();
}

absl::Status TeamWriter::Recorded(Out& out, int64_t ts_us, uint32_t label) {
  ++out.lines;
  ++summary_.records;
  ++label_counts_[label];
  if (summary_.records > exercise::kMaxGeneratedRecords) {
    return absl::InvalidArgumentError(
        StrCat("more than ", exercise::kMaxGeneratedRecords, " records"));
  }
  std::string& t = truth_.buf;
  t += out.name;
  t += '\t';
  AppendUint(out.lines, t);
  t += '\t';
  AppendEpoch(ts_us, t);
  t += '\t';
  t += labels_[label];
  t += '\n';
  KZ_RETURN_IF_ERROR(Flush(out, kFlushBytes));
  return Flush(truth_, kFlushBytes);
}

absl::Status TeamWriter::Zeek(Log log, std::span<const Value> values, int64_t ts_us,
                              uint32_t label) {
  auto i = static_cast<size_t>(log);
  if (options_.zeek_tsv) {
    AppendTsv(values, tsv_[i].buf);
    KZ_RETURN_IF_ERROR(Recorded(tsv_[i], ts_us, label));
  }
  if (options_.zeek_json) {
    AppendZeekJson(log, values, json_[i].buf);
    KZ_RETURN_IF_ERROR(Recorded(json_[i], ts_us, label));
  }
  return absl::OkStatus();
}

void TeamWriter::Common(const Event& e, std::string_view uid, std::vector<Value>& v) {
  v.clear();
  v.push_back(Value::Time(e.ts_us));
  v.push_back(Value::Str(uid));
  v.push_back(Value::Str(src_));
  v.push_back(Value::Count(49152 + (e.rnd >> 8) % 16384));
  v.push_back(Value::Str(dst_));
  v.push_back(Value::Count(e.dport));
}

absl::Status TeamWriter::Write(const Event& e) {
  src_ = Ipv4Text(e.src, src_text_);
  dst_ = Ipv4Text(e.dst, dst_text_);
  char uid_buf[18];
  MakeUid('C', e.rnd, uid_buf);
  std::string_view uid(uid_buf, sizeof uid_buf);
  std::vector<Value>& v = values_;
  int64_t duration_us = static_cast<int64_t>(Mix(e.rnd ^ 1) % 2'000'000) + 500;
  if (e.kind != EventKind::kNotice) {
    Common(e, uid, v);
    uint64_t ob = e.orig_bytes != 0 ? e.orig_bytes : 40 + (e.rnd >> 20) % 900;
    uint64_t rb = e.resp_bytes != 0 ? e.resp_bytes : 60 + (e.rnd >> 32) % 60'000 + e.size;
    uint64_t op = 1 + ob / 1400, rp = 1 + rb / 1400;
    v.insert(v.end(),
             {Value::Str(e.udp ? "udp" : "tcp"),
              e.service.empty() ? Value::Unset() : Value::Str(e.service),
              Value::Interval(duration_us), Value::Count(ob), Value::Count(rb), Value::Str("SF"),
              Value::Bool(true), Value::Bool(false), Value::Count(0),
              Value::Str(e.udp ? "Dd" : "ShADadFf"), Value::Count(op), Value::Count(ob + op * 40),
              Value::Count(rp), Value::Count(rb + rp * 40), Value::List({})});
    KZ_RETURN_IF_ERROR(Zeek(Log::kConn, v, e.ts_us, e.label));
  }
  switch (e.kind) {
    case EventKind::kDns:
      Common(e, uid, v);
      v.insert(v.end(),
               {Value::Str("udp"), Value::Count((e.rnd >> 16) & 0xffff),
                Value::Interval(duration_us / 100), Value::Str(e.query), Value::Count(1),
                Value::Str("C_INTERNET"), Value::Count(QtypeNumber(e.qtype)), Value::Str(e.qtype),
                Value::Count(0), Value::Str("NOERROR"), Value::Bool(false), Value::Bool(false),
                Value::Bool(true), Value::Bool(true), Value::Count(0),
                e.answers.empty() ? Value::Unset() : Value::List(e.answers), Value::Unset(),
                Value::Bool(false)});
      KZ_RETURN_IF_ERROR(Zeek(Log::kDns, v, e.ts_us, e.label));
      break;
    case EventKind::kHttp:
      Common(e, uid, v);
      v.insert(v.end(), {Value::Count(1), Value::Str(e.method), Value::Str(e.host),
                         Value::Str(e.uri), Value::Unset(), Value::Str("1.1"),
                         e.user_agent.empty() ? Value::Unset() : Value::Str(e.user_agent),
                         Value::Unset(), Value::Count(0), Value::Count(e.resp_bytes),
                         Value::Count(e.status), Value::Str(e.status == 200 ? "OK" : "-"),
                         Value::List({}), Value::Unset(), Value::Unset()});
      KZ_RETURN_IF_ERROR(Zeek(Log::kHttp, v, e.ts_us, e.label));
      break;
    case EventKind::kTls:
      Common(e, uid, v);
      v.insert(v.end(),
               {Value::Str("TLSv13"), Value::Str("TLS_AES_128_GCM_SHA256"), Value::Str("x25519"),
                Value::Str(e.sni), Value::Bool(false), Value::Bool(true), Value::Str("CsiI"),
                e.subject.empty() ? Value::Unset() : Value::Str(e.subject),
                e.issuer.empty() ? Value::Unset() : Value::Str(e.issuer), Value::Unset()});
      KZ_RETURN_IF_ERROR(Zeek(Log::kSsl, v, e.ts_us, e.label));
      break;
    case EventKind::kFile: {
      char fuid_buf[18];
      MakeUid('F', e.rnd ^ 0x9e3779b97f4a7c15ULL, fuid_buf);
      v.clear();
      v.insert(v.end(),
               {Value::Time(e.ts_us), Value::Str(std::string_view(fuid_buf, sizeof fuid_buf)),
                Value::Str(uid), Value::Str(dst_), Value::Count(e.dport), Value::Str(src_),
                Value::Count(49152 + (e.rnd >> 8) % 16384), Value::Str("HTTP"), Value::Count(0),
                Value::List({}), Value::Str(e.mime), Value::Str(e.file_name),
                Value::Interval(duration_us), Value::Bool(false), Value::Count(e.size),
                Value::Count(e.size), e.md5.empty() ? Value::Unset() : Value::Str(e.md5),
                e.sha1.empty() ? Value::Unset() : Value::Str(e.sha1), Value::Str(e.sha256)});
      KZ_RETURN_IF_ERROR(Zeek(Log::kFiles, v, e.ts_us, e.label));
      break;
    }
    case EventKind::kNotice:
      Common(e, uid, v);
      v.insert(v.end(), {Value::Str("tcp"), Value::Str(e.note), Value::Str(e.msg), Value::Str(src_),
                         Value::Str(dst_), Value::Count(e.dport), Value::List({}),
                         Value::Interval(3'600'000'000)});
      KZ_RETURN_IF_ERROR(Zeek(Log::kNotice, v, e.ts_us, e.label));
      break;
    case EventKind::kConn:
      break;
  }
  if (options_.eve && e.kind != EventKind::kNotice) KZ_RETURN_IF_ERROR(Eve(e));
  return absl::OkStatus();
}

absl::Status TeamWriter::Eve(const Event& e) {
  static constexpr std::string_view kTypes[] = {"dns", "flow", "http", "tls", "fileinfo", "alert"};
  std::string& o = eve_.buf;
  o += "{\"timestamp\":\"";
  AppendEveTime(e.ts_us, o);
  o += "\",\"flow_id\":";
  AppendUint(e.rnd >> 12, o);
  StrAppend(o, ",\"in_iface\":\"", team_, "0\",\"event_type\":\"", kTypes[static_cast<int>(e.kind)],
            "\",\"src_ip\":\"", src_, "\",\"src_port\":");
  AppendUint(49152 + (e.rnd >> 8) % 16384, o);
  StrAppend(o, ",\"dest_ip\":\"", dst_, "\",\"dest_port\":");
  AppendUint(e.dport, o);
  o += e.udp ? ",\"proto\":\"UDP\"" : ",\"proto\":\"TCP\"";
  switch (e.kind) {
    case EventKind::kDns:
      o += ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":";
      AppendUint((e.rnd >> 16) & 0xffff, o);
      o += ",\"rrname\":";
      detect::AppendJsonText(e.query, o);
      StrAppend(o, ",\"rrtype\":\"", e.qtype, "\",\"rcode\":\"NOERROR\",\"answers\":[");
      for (size_t i = 0; i < e.answers.size(); ++i) {
        o += i == 0 ? "{\"rrname\":" : ",{\"rrname\":";
        detect::AppendJsonText(e.query, o);
        StrAppend(o, ",\"rrtype\":\"", e.qtype, "\",\"ttl\":300,\"rdata\":");
        detect::AppendJsonText(e.answers[i], o);
        o += '}';
      }
      o += "]}";
      break;
    case EventKind::kHttp:
      o += ",\"http\":{\"hostname\":";
      detect::AppendJsonText(e.host, o);
      o += ",\"url\":";
      detect::AppendJsonText(e.uri, o);
      if (!e.user_agent.empty()) {
        o += ",\"http_user_agent\":";
        detect::AppendJsonText(e.user_agent, o);
      }
      o += ",\"http_method\":";
      detect::AppendJsonText(e.method, o);
      o += ",\"protocol\":\"HTTP/1.1\",\"status\":";
      AppendUint(e.status, o);
      o += '}';
      break;
    case EventKind::kTls:
      o += ",\"tls\":{\"sni\":";
      detect::AppendJsonText(e.sni, o);
      if (!e.subject.empty()) {
        o += ",\"subject\":";
        detect::AppendJsonText(e.subject, o);
      }
      if (!e.issuer.empty()) {
        o += ",\"issuerdn\":";
        detect::AppendJsonText(e.issuer, o);
      }
      o += ",\"version\":\"TLS 1.3\"}";
      break;
    case EventKind::kFile:
      o += ",\"fileinfo\":{\"filename\":";
      detect::AppendJsonText(e.file_name, o);
      if (!e.md5.empty()) StrAppend(o, ",\"md5\":\"", e.md5, "\"");
      if (!e.sha1.empty()) StrAppend(o, ",\"sha1\":\"", e.sha1, "\"");
      StrAppend(o, ",\"sha256\":\"", e.sha256, "\",\"size\":");
      AppendUint(e.size, o);
      o += '}';
      break;
    case EventKind::kConn:
      o += ",\"flow\":{\"pkts_toserver\":";
      AppendUint(1 + (e.rnd >> 40) % 20, o);
      o += ",\"bytes_toserver\":";
      AppendUint(e.orig_bytes, o);
      o += ",\"bytes_toclient\":";
      AppendUint(e.resp_bytes, o);
      o += ",\"state\":\"closed\"}";
      break;
    case EventKind::kNotice:
      break;
  }
  o += "}\n";
  return Recorded(eve_, e.ts_us, e.label);
}

absl::Status TeamWriter::End(int64_t close_us) {
  for (int i = 0; i < kLogCount; ++i) {
    if (options_.zeek_tsv) {
      tsv_[i].buf += TsvFooter(close_us);
      KZ_RETURN_IF_ERROR(Flush(tsv_[i], 0));
    }
    if (options_.zeek_json) KZ_RETURN_IF_ERROR(Flush(json_[i], 0));
  }
  if (options_.eve) KZ_RETURN_IF_ERROR(Flush(eve_, 0));
  KZ_RETURN_IF_ERROR(Flush(truth_, 0));
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (label_counts_[i] != 0) summary_.records_by_label[labels_[i]] += label_counts_[i];
  }
  return absl::OkStatus();
}

}  // namespace kizuna::exercise_internal
