// Kizuna. Speed of STIX object validation (kizuna/stix/validate.h) on the import path.
//
// Reports ns per object for ValidateObject alone, for IndexObject + ValidateObject, and for
// parse + index + validate, on a typical indicator and on real ATT&CK for ICS objects (the
// shared data if present, else tests/data/attack-slice.json). items_per_second is objects/s.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/stix/validate.h"

namespace kizuna::stix {
namespace {

constexpr std::string_view kIndicator = R"({
  "type": "indicator", "spec_version": "2.1",
  "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
  "indicator_types": ["malicious-activity"], "name": "Poison Ivy Malware",
  "description": "This file is part of Poison Ivy",
  "pattern": "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
  "pattern_type": "stix", "valid_from": "2016-01-01T00:00:00Z",
  "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]})";

void BM_ValidateIndicator(benchmark::State& state) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(kIndicator);
  simdjson::dom::object object = parser.parse(json).get_object().value_unsafe();
  ObjectIndex index = IndexObject(object).value();
  for (auto _ : state) {
    absl::Status status = ValidateObject(object, index);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateIndicator);

void BM_IndexAndValidateIndicator(benchmark::State& state) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(kIndicator);
  simdjson::dom::object object = parser.parse(json).get_object().value_unsafe();
  for (auto _ : state) {
    absl::StatusOr<ObjectIndex> index = IndexObject(object);
    absl::Status status = ValidateObject(object, *index);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexAndValidateIndicator);

void BM_ParseIndexAndValidateIndicator(benchmark::State& state) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(kIndicator);
  for (auto _ : state) {
    simdjson::dom::object object = parser.parse(json).get_object().value_unsafe();
    absl::StatusOr<ObjectIndex> index = IndexObject(object);
    absl::Status status = ValidateObject(object, *index);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseIndexAndValidateIndicator);

// All objects of an ATT&CK bundle, parsed once; each iteration validates every object.
class AttackObjects {
 public:
  AttackObjects() {
    for (std::string path : {std::string(KIZUNA_SHARED_DATA) + "/attack/ics-attack-18.1.json",
                             std::string(KIZUNA_TEST_DATA) + "/attack-slice.json"}) {
      absl::StatusOr<simdjson::padded_string> text = ReadFile(path, uint64_t{1} << 30);
      if (!text.ok()) continue;
      text_ = std::move(*text);
      simdjson::dom::array objects;
      if (parser_.parse(text_)["objects"].get_array().get(objects) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element item : objects) {
        objects_.push_back(item.get_object().value_unsafe());
        indexes_.push_back(IndexObject(objects_.back()).value());
      }
      source_ = path;
      return;
    }
  }
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  std::vector<simdjson::dom::object> objects_;
  std::vector<ObjectIndex> indexes_;
  std::string source_;
};

void BM_ValidateAttack(benchmark::State& state) {
  const AttackObjects loaded;  // parsed before the timed loop
  const AttackObjects* attack = &loaded;
  if (attack->objects_.empty()) {
    state.SkipWithError("no ATT&CK data");
    return;
  }
  size_t failures = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < attack->objects_.size(); ++i) {
      failures += !ValidateObject(attack->objects_[i], attack->indexes_[i]).ok();
    }
  }
  state.SetItemsProcessed(state.iterations() * attack->objects_.size());
  state.SetLabel(attack->source_.substr(attack->source_.rfind('/') + 1));
  if (failures != 0) state.SkipWithError("objects failed validation");
}
BENCHMARK(BM_ValidateAttack);

}  // namespace
}  // namespace kizuna::stix
