// Kizuna.
#include "kizuna/detect/correlation_state.h"

#include <bit>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/strings.h"

namespace kizuna::detect {
namespace {

namespace json = boost::json;
using pattern::Observation;
using pattern::ValueKind;

json::string_view Str(std::string_view s) { return json::string_view(s.data(), s.size()); }

json::array TimeJson(const stix::Timestamp& t) { return {t.seconds, t.nanos, t.fraction_digits}; }

json::array NodeJson(const Observation& o, Observation::NodeId n);

json::array Children(const Observation& o, Observation::NodeId n, bool skip_type) {
  json::array out;
  for (Observation::NodeId c = o.first_child(n); c != Observation::kNoNode; c = o.next_sibling(c)) {
    if (skip_type && o.key(c) == "type") {
      skip_type = false;  // AddSco adds the first "type" member itself
      continue;
    }
    out.push_back(NodeJson(o, c));
  }
  return out;
}

json::array NodeJson(const Observation& o, Observation::NodeId n) {
  json::string key(Str(o.key(n)));
  switch (o.kind(n)) {
    case ValueKind::kNull:
      return {"n", key};
    case ValueKind::kBool:
      return {"b", key, o.bool_value(n)};
    case ValueKind::kInt:
      return {"i", key, o.int_value(n)};
    case ValueKind::kFloat:
      return {"f", key, std::bit_cast<int64_t>(o.float_value(n))};
    case ValueKind::kString:
      return {"s", key, Str(o.string_value(n))};
    case ValueKind::kBinary:
      return {"x", key, HexEncode(o.string_value(n))};
    case ValueKind::kObject:
      return {"o", key, Children(o, n, false)};
    case ValueKind::kList:
      return {"l", key, Children(o, n, false)};
  }
  return {"n", key};
}

json::object ObservationJson(const Observation& o) {
  json::array scos;
  for (size_t i = 0; i < o.sco_count(); ++i) {
    scos.push_back({{"type", Str(o.sco_type(i))},
                    {"key", Str(o.sco_key(i))},
                    {"members", Children(o, o.sco_root(i), true)}});
  }
  return {{"id", Str(o.id())},
          {"first", TimeJson(o.first_observed())},
          {"last", TimeJson(o.last_observed())},
          {"count", o.count()},
          {"scos", std::move(scos)}};
}

// Reading: each helper sets `error` (naming `where`) and returns false on a bad member.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  absl::Status error() const { return error_; }

  bool Fail(std::string_view path, std::string_view what) {
    if (error_.ok()) error_ = absl::InvalidArgumentError(StrCat(where_, path, ": ", what));
    return false;
  }
  const json::value* Member(const json::object& o, std::string_view key, std::string_view path) {
    const json::value* v = o.if_contains(Str(key));
    if (v == nullptr) Fail(StrCat(path, ".", key), "missing");
    return v;
  }
  bool Int(const json::value* v, std::string_view path, int64_t& out) {
    if (v == nullptr) return false;
    if (const int64_t* i = v->if_int64()) return out = *i, true;
    if (const uint64_t* u = v->if_uint64(); u != nullptr && *u <= INT64_MAX) {
      return out = static_cast<int64_t>(*u), true;
    }
    return Fail(path, "not an integer");
  }
  bool String(const json::value* v, std::string_view path, std::string_view& out) {
    if (v == nullptr) return false;
    const json::string* s = v->if_string();
    if (s == nullptr) return Fail(path, "not a string");
    out = std::string_view(s->data(), s->size());
    return true;
  }
  const json::array* Array(const json::value* v, std::string_view path) {
    const json::array* a = v == nullptr ? nullptr : v->if_array();
    if (v != nullptr && a == nullptr) Fail(path, "not an array");
    return a;
  }
  const json::object* Object(const json::value* v, std::string_view path) {
    const json::object* o = v == nullptr ? nullptr : v->if_object();
    if (v != nullptr && o == nullptr) Fail(path, "not an object");
    return o;
  }
  bool Time(const json::value* v, std::string_view path, stix::Timestamp& out) {
    const json::array* a = Array(v, path);
    if (a == nullptr) return false;
    int64_t seconds = 0, nanos = 0, digits = 0;
    if (a->size() != 3 || !Int(&(*a)[0], path, seconds) || !Int(&(*a)[1], path, nanos) ||
        !Int(&(*a)[2], path, digits) || nanos < 0 || nanos > 999'999'999 || digits < 0 ||
        digits > 9) {
      return Fail(path, "not a time [seconds, nanoseconds, digits]");
    }
    out = {seconds, static_cast<int32_t>(nanos), static_cast<int32_t>(digits)};
    return true;
  }

  // Adds the value NODE `v` under `parent` of `o`.
  bool Node(const json::value& v, std::string_view path, Observation& o, Observation::NodeId parent,
            int depth) {
    const json::array* a = Array(&v, path);
    if (a == nullptr) return false;
    std::string_view kind, key;
    if (a->size() < 2 || !String(&(*a)[0], path, kind) || !String(&(*a)[1], path, key)) {
      return Fail(path, "not a [kind, key, value] node");
    }
    const json::value* value = a->size() > 2 ? &(*a)[2] : nullptr;
    if (kind != "n" && value == nullptr) return Fail(path, "no value");
    Observation::NodeId n = Observation::kNoNode;
    if (kind == "n") {
      n = o.AddNull(parent, key);
    } else if (kind == "b") {
      if (!value->is_bool()) return Fail(path, "not a bool");
      n = o.AddBool(parent, key, value->get_bool());
    } else if (kind == "i" || kind == "f") {
      int64_t i = 0;
      if (!Int(value, path, i)) return false;
      n = kind == "i" ? o.AddInt(parent, key, i)
                      : o.AddFloat(parent, key, std::bit_cast<double>(i));
    } else if (kind == "s") {
      std::string_view s;
      if (!String(value, path, s)) return false;
      n = o.AddString(parent, key, s);
    } else if (kind == "x") {
      std::string_view s;
      if (!String(value, path, s)) return false;
      std::optional<std::string> bytes = HexDecode(s);
      if (!bytes) return Fail(path, "not hex");
      n = o.AddBinary(parent, key, *bytes);
    } else if (kind == "o" || kind == "l") {
      if (depth >= kMaxPendingDepth) return Fail(path, "nested too deep");
      n = kind == "o" ? o.AddObject(parent, key) : o.AddList(parent, key);
      if (n != Observation::kNoNode && !Nodes(value, path, o, n, depth + 1)) return false;
    } else {
      return Fail(path, StrCat("unknown kind '", kind, "'"));
    }
    if (n == Observation::kNoNode) return Fail(path, "the observation outgrows its limits");
    return true;
  }
  bool Nodes(const json::value* v, std::string_view path, Observation& o,
             Observation::NodeId parent, int depth) {
    const json::array* a = Array(v, path);
    if (a == nullptr) return false;
    for (size_t i = 0; i < a->size(); ++i) {
      if (!Node((*a)[i], StrCat(path, "[", i, "]"), o, parent, depth)) return false;
    }
    return true;
  }

  bool ReadObservation(const json::value* v, std::string_view path, Observation& o) {
    const json::object* obj = Object(v, path);
    if (obj == nullptr) return false;
    std::string_view id;
    stix::Timestamp first, last;
    int64_t count = 0;
    if (!String(Member(*obj, "id", path), StrCat(path, ".id"), id) ||
        !Time(Member(*obj, "first", path), StrCat(path, ".first"), first) ||
        !Time(Member(*obj, "last", path), StrCat(path, ".last"), last) ||
        !Int(Member(*obj, "count", path), StrCat(path, ".count"), count)) {
      return false;
    }
    if (first > last) return Fail(path, "first after last");
    if (count < 1 || count > Observation::kMaxCount)
      return Fail(StrCat(path, ".count"), "out of range");
    o.SetId(id);
    o.SetTimes(first, last);
    o.SetCount(static_cast<uint32_t>(count));
    const std::string scos_path = StrCat(path, ".scos");
    const json::array* scos = Array(Member(*obj, "scos", path), scos_path);
    if (scos == nullptr) return false;
    for (size_t i = 0; i < scos->size(); ++i) {
      const std::string at = StrCat(scos_path, "[", i, "]");
      const json::object* sco = Object(&(*scos)[i], at);
      std::string_view type, key;
      if (sco == nullptr || !String(Member(*sco, "type", at), StrCat(at, ".type"), type) ||
          !String(Member(*sco, "key", at), StrCat(at, ".key"), key)) {
        return false;
      }
      Observation::NodeId root = o.AddSco(type, key);
      if (root == Observation::kNoNode) return Fail(at, "the observation outgrows its limits");
      if (!Nodes(Member(*sco, "members", at), StrCat(at, ".members"), o, root, 1)) return false;
    }
    return !o.overflowed() || Fail(path, "the observation outgrows its limits");
  }

  bool ReadEvent(const json::value& v, std::string_view path, CorrelationEvent& e) {
    const json::object* obj = Object(&v, path);
    if (obj == nullptr) return false;
    int64_t line = 0;
    std::string_view log_type, raw;
    const json::value* is_json = nullptr;
    if (!Int(Member(*obj, "time_us", path), StrCat(path, ".time_us"), e.time_us) ||
        !Int(Member(*obj, "line", path), StrCat(path, ".line"), line) ||
        !String(Member(*obj, "log_type", path), StrCat(path, ".log_type"), log_type) ||
        !String(Member(*obj, "raw", path), StrCat(path, ".raw"), raw) ||
        (is_json = Member(*obj, "json", path)) == nullptr) {
      return false;
    }
    if (line < 0) return Fail(StrCat(path, ".line"), "negative");
    if (!is_json->is_bool()) return Fail(StrCat(path, ".json"), "not a bool");
    e.line = static_cast<uint64_t>(line);
    e.log_type = log_type;
    e.raw = raw;
    e.json = is_json->get_bool();
    if (e.json) {  // pasted as it is into alert records (alerts.cc): one value on one line
      boost::system::error_code ec;
      if (raw.find_first_of("\r\n") != std::string_view::npos || (json::parse(raw, ec), ec)) {
        return Fail(StrCat(path, ".raw"), "not one JSON value on one line");
      }
    }
    return ReadObservation(Member(*obj, "observation", path), StrCat(path, ".observation"),
                           e.observation);
  }

 private:
  const std::string where_;
  absl::Status error_;
};

}  // namespace

boost::json::object PendingToJson(const std::vector<PendingEvents>& pending) {
  json::array events, patterns;
  absl::flat_hash_map<const CorrelationEvent*, size_t> index;
  for (const PendingEvents& p : pending) {
    json::array refs;
    for (const auto& e : p.events) {
      auto [it, added] = index.try_emplace(e.get(), index.size());
      if (added) {
        events.push_back({{"time_us", e->time_us},
                          {"line", e->line},
                          {"log_type", e->log_type},
                          {"raw", e->raw},
                          {"json", e->json},
                          {"observation", ObservationJson(e->observation)}});
      }
      refs.push_back(it->second);
    }
    patterns.push_back({{"indicator", FormatIndicatorId(p.indicator)},
                        {"pattern", p.pattern},
                        {"newest_us", p.newest_us},
                        {"events", std::move(refs)}});
  }
  return {{"events", std::move(events)}, {"patterns", std::move(patterns)}};
}

absl::StatusOr<std::vector<PendingEvents>> PendingFromJson(const boost::json::value& v,
                                                           std::string_view where) {
  Reader r{std::string(where)};
  const json::object* o = r.Object(&v, "");
  const json::array* events =
      o == nullptr ? nullptr : r.Array(r.Member(*o, "events", ""), ".events");
  const json::array* patterns =
      events == nullptr ? nullptr : r.Array(r.Member(*o, "patterns", ""), ".patterns");
  if (patterns == nullptr) return r.error();
  if (events->size() > kMaxPendingEvents) {
    r.Fail(".events", StrCat("more than ", kMaxPendingEvents, " events"));
    return r.error();
  }
  std::vector<std::shared_ptr<const CorrelationEvent>> read;
  read.reserve(events->size());
  for (size_t i = 0; i < events->size(); ++i) {
    auto e = std::make_shared<CorrelationEvent>();
    if (!r.ReadEvent((*events)[i], StrCat(".events[", i, "]"), *e)) return r.error();
    read.push_back(std::move(e));
  }
  std::vector<PendingEvents> out;
  size_t named = 0;  // events named by the patterns, in all
  for (size_t i = 0; i < patterns->size(); ++i) {
    const std::string at = StrCat(".patterns[", i, "]");
    const json::object* p = r.Object(&(*patterns)[i], at);
    std::string_view id, text;
    PendingEvents pending;
    if (p == nullptr || !r.String(r.Member(*p, "indicator", at), StrCat(at, ".indicator"), id) ||
        !r.String(r.Member(*p, "pattern", at), StrCat(at, ".pattern"), text) ||
        !r.Int(r.Member(*p, "newest_us", at), StrCat(at, ".newest_us"), pending.newest_us)) {
      return r.error();
    }
    if (!ParseIndicatorUuid(id, pending.indicator)) {
      r.Fail(StrCat(at, ".indicator"), "not an indicator id");
      return r.error();
    }
    pending.pattern = text;
    const json::array* refs = r.Array(r.Member(*p, "events", at), StrCat(at, ".events"));
    if (refs == nullptr) return r.error();
    named += refs->size();
    if (named > kMaxPendingEvents) {
      r.Fail(StrCat(at, ".events"),
             StrCat("the patterns name more than ", kMaxPendingEvents, " events"));
      return r.error();
    }
    absl::flat_hash_set<int64_t> seen;
    for (size_t j = 0; j < refs->size(); ++j) {
      int64_t k = -1;
      const std::string ref = StrCat(at, ".events[", j, "]");
      if (!r.Int(&(*refs)[j], ref, k)) return r.error();
      if (k < 0 || static_cast<size_t>(k) >= read.size()) {
        r.Fail(ref, "names no event");
        return r.error();
      }
      if (!seen.insert(k).second) {
        r.Fail(ref, "names an event twice");
        return r.error();
      }
      pending.events.push_back(read[static_cast<size_t>(k)]);
    }
    out.push_back(std::move(pending));
  }
  return out;
}

}  // namespace kizuna::detect
