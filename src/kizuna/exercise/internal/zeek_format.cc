// Kizuna.
#include "kizuna/exercise/internal/zeek_format.h"

#include <array>
#include <charconv>

#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::exercise_internal {
namespace {

struct Field {
  std::string_view name;
  std::string_view type;
};

constexpr Field kConn[] = {
    {"ts", "time"},          {"uid", "string"},          {"id.orig_h", "addr"},
    {"id.orig_p", "port"},   {"id.resp_h", "addr"},      {"id.resp_p", "port"},
    {"proto", "enum"},       {"service", "string"},      {"duration", "interval"},
    {"orig_bytes", "count"}, {"resp_bytes", "count"},    {"conn_state", "string"},
    {"local_orig", "bool"},  {"local_resp", "bool"},     {"missed_bytes", "count"},
    {"history", "string"},   {"orig_pkts", "count"},     {"orig_ip_bytes", "count"},
    {"resp_pkts", "count"},  {"resp_ip_bytes", "count"}, {"tunnel_parents", "set[string]"}};
constexpr Field kDns[] = {{"ts", "time"},
                          {"uid", "string"},
                          {"id.orig_h", "addr"},
                          {"id.orig_p", "port"},
                          {"id.resp_h", "addr"},
                          {"id.resp_p", "port"},
                          {"proto", "enum"},
                          {"trans_id", "count"},
                          {"rtt", "interval"},
                          {"query", "string"},
                          {"qclass", "count"},
                          {"qclass_name", "string"},
                          {"qtype", "count"},
                          {"qtype_name", "string"},
                          {"rcode", "count"},
                          {"rcode_name", "string"},
                          {"AA", "bool"},
                          {"TC", "bool"},
                          {"RD", "bool"},
                          {"RA", "bool"},
                          {"Z", "count"},
                          {"answers", "vector[string]"},
                          {"TTLs", "vector[interval]"},
                          {"rejected", "bool"}};
constexpr Field kHttp[] = {{"ts", "time"},
                           {"uid", "string"},
                           {"id.orig_h", "addr"},
                           {"id.orig_p", "port"},
                           {"id.resp_h", "addr"},
                           {"id.resp_p", "port"},
                           {"trans_depth", "count"},
                           {"method", "string"},
                           {"host", "string"},
                           {"uri", "string"},
                           {"referrer", "string"},
                           {"version", "string"},
                           {"user_agent", "string"},
                           {"origin", "string"},
                           {"request_body_len", "count"},
                           {"response_body_len", "count"},
                           {"status_code", "count"},
                           {"status_msg", "string"},
                           {"tags", "set[enum]"},
                           {"resp_fuids", "vector[string]"},
                           {"resp_mime_types", "vector[string]"}};
constexpr Field kSsl[] = {{"ts", "time"},
                          {"uid", "string"},
                          {"id.orig_h", "addr"},
                          {"id.orig_p", "port"},
                          {"id.resp_h", "addr"},
                          {"id.resp_p", "port"},
                          {"version", "string"},
                          {"cipher", "string"},
                          {"curve", "string"},
                          {"server_name", "string"},
                          {"resumed", "bool"},
                          {"established", "bool"},
                          {"ssl_history", "string"},
                          {"subject", "string"},
                          {"issuer", "string"},
                          {"validation_status", "string"}};
constexpr Field kFiles[] = {{"ts", "time"},           {"fuid", "string"},
                            {"uid", "string"},        {"id.orig_h", "addr"},
                            {"id.orig_p", "port"},    {"id.resp_h", "addr"},
                            {"id.resp_p", "port"},    {"source", "string"},
                            {"depth", "count"},       {"analyzers", "set[string]"},
                            {"mime_type", "string"},  {"filename", "string"},
                            {"duration", "interval"}, {"is_orig", "bool"},
                            {"seen_bytes", "count"},  {"total_bytes", "count"},
                            {"md5", "string"},        {"sha1", "string"},
                            {"sha256", "string"}};
constexpr Field kNotice[] = {{"ts", "time"},           {"uid", "string"},
                             {"id.orig_h", "addr"},    {"id.orig_p", "port"},
                             {"id.resp_h", "addr"},    {"id.resp_p", "port"},
                             {"proto", "enum"},        {"note", "enum"},
                             {"msg", "string"},        {"src", "addr"},
                             {"dst", "addr"},          {"p", "port"},
                             {"actions", "set[enum]"}, {"suppress_for", "interval"}};

std::span<const Field> Schema(Log log) {
  switch (log) {
    case Log::kConn:
      return kConn;
    case Log::kDns:
      return kDns;
    case Log::kHttp:
      return kHttp;
    case Log::kSsl:
      return kSsl;
    case Log::kFiles:
      return kFiles;
    case Log::kNotice:
      return kNotice;
  }
  return kConn;
}

// Zeek's TSV escaping of one string: \ , tab, newline and other control bytes as \xNN.
// In set and vector elements the set separator ',' is escaped too.
void AppendTsvText(std::string_view s, std::string& out, bool element = false) {
  if (s.empty()) {
    out += "(empty)";
    return;
  }
  if (s == "-") {
    out += "\\x2d";
    return;
  }
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\' || (element && c == ',')) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
}

std::string OpenTime(int64_t us) {
  // "2026-12-01-00-00-00"
  std::string t = stix::FormatTaxii(us).substr(0, 19);
  for (char& c : t) {
    if (c == 'T' || c == ':') c = '-';
  }
  return t;
}

}  // namespace

std::string_view LogName(Log log) {
  static constexpr std::array<std::string_view, kLogCount> kNames = {"conn", "dns",   "http",
                                                                     "ssl",  "files", "notice"};
  return kNames[static_cast<size_t>(log)];
}

size_t FieldCount(Log log) { return Schema(log).size(); }

std::string TsvHeader(Log log, int64_t open_us) {
  std::string fields = "#fields", types = "#types";
  for (const Field& f : Schema(log)) {
    StrAppend(fields, "\t", f.name);
    StrAppend(types, "\t", f.type);
  }
  return StrCat(
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t",
      LogName(log), "\n#open\t", OpenTime(open_us), "\n", fields, "\n", types, "\n");
}

std::string TsvFooter(int64_t close_us) { return StrCat("#close\t", OpenTime(close_us), "\n"); }

void AppendUint(uint64_t n, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void AppendEpoch(int64_t us, std::string& out) {
  AppendUint(static_cast<uint64_t>(us / 1'000'000), out);
  char buf[7];
  auto frac = static_cast<uint32_t>(us % 1'000'000);
  for (int i = 5; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  buf[6] = '\0';
  out += '.';
  out.append(buf, 6);
}

void AppendEveTime(int64_t us, std::string& out) {
  std::string t = stix::FormatTaxii(us);  // "2026-12-01T00:00:00.000123Z"
  t.pop_back();
  out += t;
  out += "+0000";
}

void AppendTsv(std::span<const Value> values, std::string& out) {
  bool first = true;
  for (const Value& v : values) {
    if (!first) out += '\t';
    first = false;
    switch (v.kind) {
      case Value::Kind::kUnset:
        out += '-';
        break;
      case Value::Kind::kString:
        AppendTsvText(v.text, out);
        break;
      case Value::Kind::kCount:
        AppendUint(v.count, out);
        break;
      case Value::Kind::kTime:
      case Value::Kind::kInterval:
        AppendEpoch(v.us, out);
        break;
      case Value::Kind::kBool:
        out += v.flag ? 'T' : 'F';
        break;
      case Value::Kind::kList:
        if (v.list.empty()) {
          out += "(empty)";
          break;
        }
        for (size_t i = 0; i < v.list.size(); ++i) {
          if (i > 0) out += ',';
          AppendTsvText(v.list[i], out, true);
        }
        break;
    }
  }
  out += '\n';
}

void AppendZeekJson(Log log, std::span<const Value> values, std::string& out) {
  std::span<const Field> schema = Schema(log);
  StrAppend(out, "{\"_path\":\"", LogName(log), "\"");
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    if (v.kind == Value::Kind::kUnset) continue;
    StrAppend(out, ",\"", schema[i].name, "\":");
    switch (v.kind) {
      case Value::Kind::kUnset:
        break;
      case Value::Kind::kString:
        detect::AppendJsonText(v.text, out);
        break;
      case Value::Kind::kCount:
        AppendUint(v.count, out);
        break;
      case Value::Kind::kTime:
      case Value::Kind::kInterval:
        AppendEpoch(v.us, out);
        break;
      case Value::Kind::kBool:
        out += v.flag ? "true" : "false";
        break;
      case Value::Kind::kList:
        out += '[';
        for (size_t j = 0; j < v.list.size(); ++j) {
          if (j > 0) out += ',';
          detect::AppendJsonText(v.list[j], out);
        }
        out += ']';
        break;
    }
  }
  out += "}\n";
}

}  // namespace kizuna::exercise_internal
