// Kizuna.
#include "kizuna/pattern/observation_json.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/internal/observable_types.h"
#include "kizuna/pattern/internal/ondemand_observations.h"

namespace kizuna::pattern {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using NodeId = Observation::NodeId;

using pattern_internal::IsNonObservableType;

std::string_view GetString(object obj, std::string_view key) {
  std::string_view value;
  if (obj[key].get(value) != simdjson::SUCCESS) return {};
  return value;
}

class Reader {
 public:
  explicit Reader(StixVersion version) : version_(version) {}

  absl::Status ConsumeDocument(element doc) {
    ++document_;
    array list;
    if (doc.get(list) == simdjson::SUCCESS) {
      for (element e : list) KZ_RETURN_IF_ERROR(ConsumeObject(e));
      return absl::OkStatus();
    }
    object obj;
    if (doc.get(obj) != simdjson::SUCCESS) return Error("", "expected a JSON object or array");
    if (GetString(obj, "type") == "bundle") {
      if (obj["objects"].get(list) != simdjson::SUCCESS) {
        return Error(GetString(obj, "id"), "bundle without an 'objects' list");
      }
      for (element e : list) KZ_RETURN_IF_ERROR(ConsumeObject(e));
      return absl::OkStatus();
    }
    return ConsumeObject(doc);
  }

  absl::StatusOr<std::vector<Observation>> Finish() {
    for (const Pending& p : pending_) {
      Observation& obs = observations_[p.index];
      for (const std::string& ref : p.refs) {
        auto it = sco_index_.find(AbslView(ref));
        if (it != sco_index_.end()) obs.CopyScoFrom(scos_, it->second);
      }
      if (obs.overflowed()) return TooBig(obs.id());
    }
    // Copy each observation once more, in order: a copy allocates its buffers at their final
    // size, one after the other, and observations kept together in memory evaluate about
    // twice as fast as ones whose buffers grew scattered (bench/README.md).
    std::vector<Observation> out;
    out.reserve(observations_.size());
    for (const Observation& o : observations_) out.push_back(o);
    return out;
  }

 private:
  struct Pending {
    size_t index;
    std::vector<std::string> refs;
  };

  absl::Status Error(std::string_view id, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat("document ", document_, id.empty() ? "" : ", ",
                                             id.empty() ? "" : "object ", id, ": ", what));
  }
  absl::Status TooBig(std::string_view id) const {
    return absl::ResourceExhaustedError(
        StrCat("document ", document_, ", object ", id,
               ": observation exceeds the per-observation limits (", Observation::kMaxNodes,
               " values, ", Observation::kMaxBytes, " bytes of text)"));
  }

  absl::Status ConsumeObject(element e) {
    object obj;
    if (e.get(obj) != simdjson::SUCCESS) return Error("", "expected a STIX object");
    const std::string_view type = GetString(obj, "type");
    const std::string_view id = GetString(obj, "id");
    if (type.empty()) return Error(id, "object without a 'type'");
    if (type == "observed-data") return ConsumeObservedData(obj, id);
    const bool is_sco = !id.empty() && !IsNonObservableType(type);
    if (!is_sco || version_ == StixVersion::k20) return absl::OkStatus();
    if (sco_index_.contains(AbslView(id))) return absl::OkStatus();  // first copy wins
    const size_t index = scos_.sco_count();
    KZ_RETURN_IF_ERROR(AddSco(scos_, obj, type, id));
    if (scos_.overflowed()) return TooBig(id);
    sco_index_.emplace(std::string(id), index);
    return absl::OkStatus();
  }

  absl::Status ConsumeObservedData(object obj, std::string_view id) {
    Observation obs;
    obs.SetId(id);
    stix::Timestamp times[2];
    const char* names[2] = {"first_observed", "last_observed"};
    for (int i = 0; i < 2; ++i) {
      std::string_view text;
      if (obj[names[i]].get(text) != simdjson::SUCCESS) {
        return Error(id, StrCat("'", names[i], "' is missing or not a string"));
      }
      auto t = stix::ParseTimestamp(text);
      if (!t.ok()) return Error(id, StrCat("'", names[i], "': ", View(t.status().message())));
      times[i] = *t;
    }
    if (times[1] < times[0]) return Error(id, "'last_observed' is before 'first_observed'");
    obs.SetTimes(times[0], times[1]);
    int64_t count = 0;
    if (obj["number_observed"].get(count) != simdjson::SUCCESS || count < 1 ||
        count > Observation::kMaxCount) {
      return Error(id, "'number_observed' must be an integer from 1 to 999,999,999");
    }
    obs.SetCount(static_cast<uint32_t>(count));

    object objects;
    array refs;
    if (obj["objects"].get(objects) == simdjson::SUCCESS) {
      for (auto [key, value] : objects) {
        object sco;
        if (value.get(sco) != simdjson::SUCCESS) {
          return Error(id, StrCat("objects['", key, "'] is not an object"));
        }
        const std::string_view type = GetString(sco, "type");
        if (type.empty()) return Error(id, StrCat("objects['", key, "'] has no 'type'"));
        KZ_RETURN_IF_ERROR(AddSco(obs, sco, type, key));
      }
      if (obs.overflowed()) return TooBig(id);
      observations_.push_back(std::move(obs));
      return absl::OkStatus();
    }
    if (version_ == StixVersion::k20) {
      return Error(id, "STIX 2.0 observed-data needs an 'objects' dictionary");
    }
    if (obj["object_refs"].get(refs) != simdjson::SUCCESS) {
      return Error(id, "observed-data needs 'object_refs' (or the 2.0 'objects')");
    }
    Pending pending{observations_.size(), {}};
    for (element r : refs) {
      std::string_view ref;
      if (r.get(ref) != simdjson::SUCCESS) return Error(id, "'object_refs' holds a non-string");
      pending.refs.emplace_back(ref);
    }
    pending_.push_back(std::move(pending));
    observations_.push_back(std::move(obs));
    return absl::OkStatus();
  }

  absl::Status AddSco(Observation& obs, object sco, std::string_view type, std::string_view key) {
    const NodeId root = obs.AddSco(type, key);
    for (auto [k, v] : sco) {
      if (k == "type") continue;  // AddSco added it
      KZ_RETURN_IF_ERROR(AddValue(obs, root, k, v, 1));
    }
    return absl::OkStatus();
  }

  absl::Status AddValue(Observation& obs, NodeId parent, std::string_view key, element v,
                        size_t depth) {
    if (depth > limits::kMaxJsonDepth) {
      return absl::ResourceExhaustedError(
          StrCat("document ", document_, ": JSON nests deeper than ", limits::kMaxJsonDepth));
    }
    switch (v.type()) {
      case element_type::NULL_VALUE: obs.AddNull(parent, key); break;
      case element_type::BOOL: obs.AddBool(parent, key, v.get_bool().value_unsafe()); break;
      case element_type::INT64: obs.AddInt(parent, key, v.get_int64().value_unsafe()); break;
      case element_type::UINT64:
        obs.AddFloat(parent, key, static_cast<double>(v.get_uint64().value_unsafe()));
        break;
      case element_type::DOUBLE: obs.AddFloat(parent, key, v.get_double().value_unsafe()); break;
      case element_type::STRING: obs.AddString(parent, key, v.get_string().value_unsafe()); break;
      case element_type::ARRAY: {
        const NodeId list = obs.AddList(parent, key);
        const array items = v.get_array().value_unsafe();  // not a range-for over a temporary
        for (element item : items) {
          KZ_RETURN_IF_ERROR(AddValue(obs, list, {}, item, depth + 1));
        }
        break;
      }
      case element_type::OBJECT: {
        const NodeId child = obs.AddObject(parent, key);
        const object members = v.get_object().value_unsafe();
        for (auto [k, item] : members) {
          KZ_RETURN_IF_ERROR(AddValue(obs, child, k, item, depth + 1));
        }
        break;
      }
    }
    return absl::OkStatus();
  }

  StixVersion version_;
  size_t document_ = 0;
  std::vector<Observation> observations_;
  std::vector<Pending> pending_;
  Observation scos_;  // every top-level SCO of the input, for object_refs
  absl::flat_hash_map<std::string, size_t> sco_index_;
};

absl::Status JsonError(simdjson::error_code error, size_t document) {
  return absl::InvalidArgumentError(
      StrCat("document ", document, ": invalid JSON: ", simdjson::error_message(error)));
}

}  // namespace

absl::StatusOr<std::vector<Observation>> ReadObservationsDom(std::string_view json,
                                                             StixVersion version) {
  simdjson::dom::parser parser;
  Reader reader(version);
  size_t start = 0;
  while (start < json.size() && (json[start] == ' ' || json[start] == '\n' ||
                                 json[start] == '\r' || json[start] == '\t')) {
    ++start;
  }
  if (start == json.size()) return std::vector<Observation>{};
  element doc;
  simdjson::error_code error = parser.parse(json.data(), json.size(), false).get(doc);
  if (error == simdjson::SUCCESS) {
    KZ_RETURN_IF_ERROR(reader.ConsumeDocument(doc));
    return reader.Finish();
  }
  if (json[start] == '[') return JsonError(error, 1);
  // Not one document: JSON lines (or concatenated objects).
  constexpr size_t kMinBatch = 1 << 20;
  const size_t batch = std::max(kMinBatch, std::min(json.size(), limits::kMaxObjectBytes * 2));
  simdjson::dom::document_stream stream;
  error = parser.parse_many(json.data(), json.size(), batch).get(stream);
  if (error != simdjson::SUCCESS) return JsonError(error, 1);
  size_t index = 0;
  for (auto result : stream) {
    ++index;
    if (result.get(doc) != simdjson::SUCCESS) return JsonError(result.error(), index);
    KZ_RETURN_IF_ERROR(reader.ConsumeDocument(doc));
  }
  if (stream.truncated_bytes() > 0) {
    return absl::InvalidArgumentError(
        StrCat("document ", index + 1, ": invalid JSON: truncated document"));
  }
  return reader.Finish();
}

bool OnDemandObservationsSupported() {
  static const bool supported = [] {
    const simdjson::implementation* impl =
        simdjson::get_available_implementations()[pattern_internal::kObservationsImplementation];
    return impl != nullptr && impl->supported_by_runtime_system();
  }();
  return supported;
}

absl::StatusOr<std::vector<Observation>> ReadPaddedObservations(std::string_view json,
                                                                StixVersion version) {
  if (OnDemandObservationsSupported()) {
    return pattern_internal::ReadObservationsOnDemand(json, version);
  }
  return ReadObservationsDom(json, version);
}

absl::Status StreamPaddedObservations(std::string_view json, StixVersion version,
                                      ObservationSink& sink) {
  if (OnDemandObservationsSupported()) {
    return pattern_internal::StreamObservationsOnDemand(json, version, sink);
  }
  KZ_ASSIGN_OR_RETURN(std::vector<Observation> observations, ReadObservationsDom(json, version));
  for (size_t i = 0; i < observations.size(); ++i) {
    KZ_RETURN_IF_ERROR(sink.Add(i, observations[i]));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Observation>> ReadObservations(const simdjson::padded_string& json,
                                                          StixVersion version) {
  return ReadPaddedObservations(std::string_view(json.data(), json.size()), version);
}

absl::StatusOr<std::vector<Observation>> ParseObservations(std::string_view json,
                                                           StixVersion version) {
  simdjson::padded_string padded(json.data(), json.size());
  return ReadObservations(padded, version);
}

}  // namespace kizuna::pattern
