// Kizuna.
#include "kizuna/detect/compiler.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/classify.h"
#include "kizuna/detect/fast_classify.h"
#include "kizuna/detect/lookup/hash.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"
#include "kizuna/stix/exercise_marking.h"
#include "kizuna/stix/object.h"
#include "kizuna/store/page_pipe.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::pair<uint64_t, uint64_t> UuidKey(const Uuid& u) {
  uint64_t hi, lo;
  std::memcpy(&hi, u.data(), 8);
  std::memcpy(&lo, u.data() + 8, 8);
  return {hi, lo};
}

// Why a well-formed indicator is not compiled, or kActive.
enum class Selection : uint8_t { kActive, kRevoked, kExpired, kNotYetValid, kOtherType, kExercise };

// Indicators parsed at a time (by all threads) before they are added in order.
constexpr size_t kChunk = 8192;

}  // namespace

struct IndicatorCompiler::Pending {
  Uuid uuid{};
  int64_t modified_us = 0;
  size_t text_at = 0;      // the pattern in text_
  size_t text_size = 0;
  pattern::StixVersion version = pattern::StixVersion::k21;
  Selection selection = Selection::kActive;
  std::optional<int64_t> valid_from_us;
  std::optional<int64_t> valid_until_us;
  bool replaces = false;   // AddPattern: wins over earlier versions whatever `modified`
};

// One active indicator after parsing: its keys when simple, else its compiled pattern, else
// why it was rejected.
struct IndicatorCompiler::Parsed {
  Uuid uuid{};  // formatted only for the report
  std::optional<std::vector<SimpleKey>> keys;
  std::shared_ptr<const pattern::Pattern> compiled;
  std::string error;
};

IndicatorCompiler::IndicatorCompiler(CompileOptions options)
    : options_(std::move(options)),
      parser_(std::make_unique<simdjson::dom::parser>()),
      builder_(std::make_unique<SnapshotBuilder>(options_.hash_seed)),
      started_us_(SteadyMicros()) {}

IndicatorCompiler::~IndicatorCompiler() = default;

void IndicatorCompiler::Problem(std::string_view id, std::string reason) {
  ++report_.invalid;
  if (report_.problems.size() < options_.max_kept) {
    report_.problems.push_back({std::string(id), std::move(reason)});
  }
}

IndicatorCompiler::ReadResult IndicatorCompiler::ReadFixed(std::string_view json,
                                                           std::string_view where, Pending& p,
                                                           std::string_view& text,
                                                           std::string& where_out,
                                                           std::string& problem) {
  const auto malformed = [&](std::string_view at, std::string reason) {
    where_out = std::string(at);
    problem = std::move(reason);
    return ReadResult::kMalformed;
  };
  simdjson::dom::element root;
  if (parser_->parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return malformed(where, "not a JSON object");
  }
  std::string_view type;
  if (root["type"].get_string().get(type) != simdjson::SUCCESS || type != "indicator") {
    return ReadResult::kNotIndicator;
  }
  absl::StatusOr<stix::ObjectIndex> index = stix::IndexObject(root.get_object().value_unsafe());
  if (!index.ok()) return malformed(where, std::string(View(index.status().message())));
  const std::string& id = index->id;
  if (!ParseIndicatorUuid(id, p.uuid)) return malformed(id, "id is not an indicator id");
  std::string_view pattern_type;
  if (root["pattern"].get_string().get(text) != simdjson::SUCCESS) {
    return malformed(id, "property 'pattern' is missing or not a string");
  }
  if (root["pattern_type"].get_string().get(pattern_type) != simdjson::SUCCESS) {
    pattern_type = index->spec_version == stix::SpecVersion::k20 ? "stix" : "";
  }
  p.version = index->spec_version == stix::SpecVersion::k20 ? pattern::StixVersion::k20
                                                             : pattern::StixVersion::k21;
  if (index->version()) p.modified_us = index->version()->Micros();
  p.valid_from_us = index->valid_from_us;
  p.valid_until_us = index->valid_until_us;
  if (!options_.exercise && stix::IsExerciseObject(*index)) {
    p.selection = Selection::kExercise;
  } else if (index->revoked) {
    p.selection = Selection::kRevoked;
  } else if (pattern_type != "stix") {
    p.selection = Selection::kOtherType;
  }
  return ReadResult::kIndicator;
}

void IndicatorCompiler::SelectAtNow(Pending& p) const {
  if (p.selection != Selection::kActive) return;
  const int64_t now = options_.now_us;
  if (p.valid_until_us && *p.valid_until_us <= now) {
    p.selection = Selection::kExpired;
  } else if (p.valid_from_us && *p.valid_from_us > now) {
    p.selection = Selection::kNotYetValid;
  }
}

bool IndicatorCompiler::Read(std::string_view json, std::string_view where, Pending& p,
                             std::string_view& text) {
  std::string at, problem;
  switch (ReadFixed(json, where, p, text, at, problem)) {
    case ReadResult::kNotIndicator:
      return false;
    case ReadResult::kMalformed:
      ++report_.objects;
      Problem(at, std::move(problem));
      return false;
    case ReadResult::kIndicator:
      break;
  }
  ++report_.objects;
  SelectAtNow(p);
  return true;
}

void IndicatorCompiler::Extract(std::string_view json, std::string_view where,
                                ExtractedIndicator& out) {
  out = ExtractedIndicator{};
  Pending p;
  std::string_view text;
  switch (ReadFixed(json, where, p, text, out.where, out.problem)) {
    case ReadResult::kNotIndicator:
      return;
    case ReadResult::kMalformed:
      out.kind = ExtractedIndicator::Kind::kMalformed;
      return;
    case ReadResult::kIndicator:
      break;
  }
  out.uuid = p.uuid;
  out.modified_us = p.modified_us;
  out.valid_from_us = p.valid_from_us;
  out.valid_until_us = p.valid_until_us;
  switch (p.selection) {
    case Selection::kExercise:
      out.kind = ExtractedIndicator::Kind::kExercise;
      return;
    case Selection::kRevoked:
      out.kind = ExtractedIndicator::Kind::kRevoked;
      return;
    case Selection::kOtherType:
      out.kind = ExtractedIndicator::Kind::kOtherType;
      return;
    default:
      break;
  }
  out.kind = ExtractedIndicator::Kind::kSelectable;
  Parsed parsed;
  ParseOne(p, text, parsed);
  out.keys = std::move(parsed.keys);
  out.compiled = std::move(parsed.compiled);
  out.problem = std::move(parsed.error);
}

void IndicatorCompiler::AddExtracted(ExtractedIndicator& e) {
  using Kind = ExtractedIndicator::Kind;
  if (e.kind == Kind::kIgnored) return;
  ++report_.objects;
  if (e.kind == Kind::kMalformed) {
    Problem(e.where, e.problem);
    return;
  }
  Pending p;
  p.uuid = e.uuid;
  p.modified_us = e.modified_us;
  p.valid_from_us = e.valid_from_us;
  p.valid_until_us = e.valid_until_us;
  p.selection = e.kind == Kind::kExercise    ? Selection::kExercise
                : e.kind == Kind::kRevoked   ? Selection::kRevoked
                : e.kind == Kind::kOtherType ? Selection::kOtherType
                                             : Selection::kActive;
  SelectAtNow(p);
  Tally(p);
  if (p.selection != Selection::kActive) return;
  Parsed parsed;
  parsed.uuid = e.uuid;
  parsed.keys = std::move(e.keys);
  parsed.compiled = e.compiled;
  parsed.error = e.problem;
  Compile(parsed);
}

void IndicatorCompiler::AddObject(std::string_view json, std::string_view where) {
  Pending p;
  std::string_view text;
  if (!Read(json, where, p, text)) return;
  p.text_at = text_.size();
  p.text_size = text.size();
  text_.append(text);
  pending_.push_back(p);
}

void IndicatorCompiler::AddObjectNow(std::string_view json, std::string_view where) {
  Pending p;
  std::string_view text;
  if (!Read(json, where, p, text)) return;
  ++added_now_;
  Tally(p);
  const int64_t before = report_.active;
  if (p.selection == Selection::kActive) {
    Parsed parsed;
    ParseOne(p, text, parsed);
    Compile(parsed);
  }
  if (report_.active == before) unbuilt_.push_back(p.uuid);
}

void IndicatorCompiler::AddPattern(std::string_view id, std::string_view pattern,
                                   pattern::StixVersion version) {
  ++report_.objects;
  Pending p;
  if (!ParseIndicatorUuid(id, p.uuid)) {
    Problem(id, "id is not an indicator id");
    return;
  }
  p.version = version;
  p.text_at = text_.size();
  p.text_size = pattern.size();
  text_.append(pattern);
  p.replaces = true;
  pending_.push_back(p);
}

void IndicatorCompiler::DropDuplicates() {
  // (id, position) grouped so that the versions of one id are adjacent, in the order added:
  // spread over buckets by a hash of the id, then each bucket (a few entries) sorted.
  using Item = std::pair<std::pair<uint64_t, uint64_t>, uint32_t>;
  const size_t n = pending_.size();
  const int bits = std::clamp(static_cast<int>(std::bit_width(n)) - 4, 1, 24);
  const auto bucket_of = [bits](const std::pair<uint64_t, uint64_t>& key) {
    return static_cast<size_t>(HashWord(key.first ^ HashWord(key.second, 0), 0) >> (64 - bits));
  };
  std::vector<uint32_t> starts((size_t{1} << bits) + 1, 0);
  for (const Pending& p : pending_) ++starts[bucket_of(UuidKey(p.uuid)) + 1];
  for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
  std::vector<Item> order(n);
  std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    const std::pair<uint64_t, uint64_t> key = UuidKey(pending_[i].uuid);
    order[next[bucket_of(key)]++] = {key, static_cast<uint32_t>(i)};
  }
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    if (starts[b + 1] - starts[b] > 1) {
      std::sort(order.begin() + starts[b], order.begin() + starts[b + 1]);
    }
  }
  std::vector<bool> dropped(n, false);
  bool any = false;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    for (; j < order.size() && order[j].first == order[i].first; ++j) {
      Pending& kept = pending_[order[i].second];
      const Pending& later = pending_[order[j].second];
      ++report_.duplicates;
      if (later.replaces || later.modified_us > kept.modified_us) kept = later;
      dropped[order[j].second] = true;
      any = true;
    }
    i = j;
  }
  if (!any) return;
  size_t w = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!dropped[i]) pending_[w++] = pending_[i];
  }
  pending_.resize(w);
}

void IndicatorCompiler::ParseOne(const Pending& p, std::string_view text, Parsed& out) const {
  out.uuid = p.uuid;
  if (p.version == pattern::StixVersion::k21) {
    out.keys = FastClassify(text, options_.limits);
    if (out.keys) return;
  }
  // The full path. A simple pattern needs no evaluator program: parse, validate, classify.
  pattern::ParseOptions parse_options{p.version, options_.limits};
  absl::StatusOr<std::unique_ptr<pattern::Ast>> ast = pattern::Parse(text, parse_options);
  absl::Status valid = ast.ok() ? pattern::Validate(**ast, options_.limits) : ast.status();
  if (!valid.ok()) {
    out.error = StrCat("pattern: ", View(valid.message()));
    return;
  }
  out.keys = Classify(**ast);
  if (out.keys) return;
  pattern::CompileOptions popts;
  popts.version = p.version;
  popts.limits = options_.limits;
  absl::StatusOr<std::unique_ptr<const pattern::Pattern>> compiled =
      pattern::Pattern::Compile(text, popts);
  if (!compiled.ok()) {
    out.error = StrCat("pattern: ", View(compiled.status().message()));
    return;
  }
  out.compiled = std::move(*compiled);
}

void IndicatorCompiler::Parse(size_t from, size_t to, Parsed* out) const {
  for (size_t i = from; i < to; ++i, ++out) {
    const Pending& p = pending_[i];
    if (p.selection != Selection::kActive) continue;
    ParseOne(p, std::string_view(text_.data() + p.text_at, p.text_size), *out);
  }
}

void IndicatorCompiler::Tally(const Pending& p) {
  // The next time the selection changes: a valid_until or valid_from still ahead.
  const int64_t now = options_.now_us;
  for (const std::optional<int64_t>& t : {p.valid_from_us, p.valid_until_us}) {
    if (t && *t > now && (next_change_us_ == 0 || *t < next_change_us_)) next_change_us_ = *t;
  }
  switch (p.selection) {
    case Selection::kActive:
      break;
    case Selection::kRevoked:
      ++report_.revoked;
      break;
    case Selection::kExpired:
      ++report_.expired;
      break;
    case Selection::kNotYetValid:
      ++report_.not_yet_valid;
      break;
    case Selection::kOtherType:
      ++report_.other_pattern_type;
      break;
    case Selection::kExercise:
      ++report_.exercise;
      break;
  }
}

bool IndicatorCompiler::Repeats(const Snapshot& snapshot) const {
  // 8 bytes of each id, sorted; ids whose 8 bytes repeat are then compared whole.
  const auto fold = [](const Uuid& u) {
    const std::pair<uint64_t, uint64_t> k = UuidKey(u);
    return k.first ^ k.second;
  };
  const uint32_t built = static_cast<uint32_t>(snapshot.indicator_count());
  std::vector<uint64_t> folded;
  folded.reserve(built + unbuilt_.size());
  for (uint32_t i = 0; i < built; ++i) folded.push_back(fold(snapshot.IndicatorUuid(i)));
  for (const Uuid& u : unbuilt_) folded.push_back(fold(u));
  std::sort(folded.begin(), folded.end());
  absl::flat_hash_set<uint64_t> suspects;
  for (size_t i = 1; i < folded.size(); ++i) {
    if (folded[i] == folded[i - 1]) suspects.insert(folded[i]);
  }
  if (suspects.empty()) return false;
  folded.clear();
  folded.shrink_to_fit();
  std::vector<Uuid> candidates;
  const auto note = [&](const Uuid& u) {
    if (suspects.contains(fold(u))) candidates.push_back(u);
  };
  for (uint32_t i = 0; i < built; ++i) note(snapshot.IndicatorUuid(i));
  for (const Uuid& u : unbuilt_) note(u);
  std::sort(candidates.begin(), candidates.end());
  return std::adjacent_find(candidates.begin(), candidates.end()) != candidates.end();
}

void IndicatorCompiler::Compile(Parsed& parsed) {
  if (!parsed.error.empty()) {
    Problem(FormatIndicatorId(parsed.uuid), std::move(parsed.error));
    return;
  }
  std::optional<std::vector<SimpleKey>>& keys = parsed.keys;
  if (keys && options_.allowlist != nullptr && !keys->empty()) {
    std::vector<SimpleKey> kept;
    for (SimpleKey& k : *keys) {
      const std::string* list = options_.allowlist->Allows(k);
      if (list == nullptr) {
        kept.push_back(std::move(k));
        continue;
      }
      ++report_.suppressed_keys;
      ++report_.suppressed_by_list[*list];
      if (report_.suppressions.size() < options_.max_kept) {
        std::string value = k.text;
        if (k.kind == SimpleKey::Kind::kIpv4) {
          std::array<char, 16> buffer;
          value = std::string(FormatIpv4(k.v4, buffer));
        } else if (k.kind == SimpleKey::Kind::kBlock) {
          value = "(address block)";
        }
        report_.suppressions.push_back({FormatIndicatorId(parsed.uuid), std::move(value), *list});
      }
    }
    if (kept.empty()) {
      ++report_.suppressed;
      return;
    }
    *keys = std::move(kept);
  }
  absl::StatusOr<uint32_t> index = builder_->AddIndicator(parsed.uuid);
  if (!index.ok()) {
    Problem(FormatIndicatorId(parsed.uuid), std::string(View(index.status().message())));
    return;
  }
  ++report_.active;
  if (keys) {
    ++report_.simple;
    builder_->AddKeys(*index, *keys);
    return;
  }
  std::shared_ptr<const pattern::Pattern> shared = std::move(parsed.compiled);
  if (shared->requirements().single_observation) {
    ++report_.evaluated;
  } else {
    ++report_.multi;
  }
  builder_->AddPattern(*index, std::move(shared));
}

absl::StatusOr<std::shared_ptr<const Snapshot>> IndicatorCompiler::Finish() && {
  const int64_t now = options_.now_us;
  DropDuplicates();
  for (const Pending& p : pending_) Tally(p);
  // Parse a chunk on all threads, then add it in order, so the result does not depend on
  // the number of threads.
  std::vector<Parsed> parsed;
  for (size_t from = 0; from < pending_.size(); from += kChunk) {
    const size_t to = std::min(pending_.size(), from + kChunk);
    parsed.clear();
    parsed.resize(to - from);
    const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
    const size_t share = (to - from + threads - 1) / threads;
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads && from + t * share < to; ++t) {
      const size_t begin = from + t * share;
      helpers.emplace_back(&IndicatorCompiler::Parse, this, begin, std::min(to, begin + share),
                           parsed.data() + (begin - from));
    }
    Parse(from, std::min(to, from + share), parsed.data());
    for (std::thread& helper : helpers) helper.join();
    for (size_t i = from; i < to; ++i) {
      if (pending_[i].selection == Selection::kActive) Compile(parsed[i - from]);
    }
  }
  if (added_now_ > 0) {
    for (const Pending& p : pending_) unbuilt_.push_back(p.uuid);
  }
  pending_.clear();
  text_.clear();
  builder_->SetTimes(now, next_change_us_);
  std::shared_ptr<const Snapshot> snapshot = std::move(*builder_).Build();
  if (added_now_ > 0) repeated_now_ = Repeats(*snapshot);
  report_.lookup_bytes = snapshot->stats().lookup_bytes;
  report_.seconds = static_cast<double>(SteadyMicros() - started_us_) / 1e6;
  return snapshot;
}

namespace {

// Compiles the indicators of `collection_ids`; with `at_once`, each as it is read
// (AddObjectNow), and then sets `*repeated` when an id came twice (nothing is returned then).
absl::StatusOr<std::shared_ptr<const Snapshot>> ReadAndCompile(
    store::Store& store, std::span<const std::string> collection_ids, const CompileOptions& options,
    bool at_once, CompileReport* report, bool* repeated) {
  IndicatorCompiler compiler(options);
  int64_t read = 0;
  for (const std::string& collection : collection_ids) {
    store::PageRequest request;
    request.filter.types = {"indicator"};
    request.limit = std::clamp<size_t>(options.page_limit, 1, store::kMaxPageLimit);
    // Pages are read on a second thread while this one compiles the page before.
    store::PagePipe pipe([&](const store::PageRequest& r, store::Page& page) {
      return store.GetObjectsInto(collection, r, store::WithJson::kYes, page);
    }, request);
    while (std::optional<store::Page> page = pipe.Next()) {
      for (const store::StoredObject& o : page->objects) {
        if (at_once) {
          compiler.AddObjectNow(o.json, o.id);
        } else {
          compiler.AddObject(o.json, o.id);
        }
      }
      read += static_cast<int64_t>(page->objects.size());
      if (options.on_progress) options.on_progress(read);
      pipe.Done(std::move(*page));
    }
    if (absl::Status s = pipe.status(); !s.ok()) {
      return Annotate(s, StrCat("reading indicators of collection ", collection, ": "));
    }
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = std::move(compiler).Finish();
  if (compiler.repeated_now()) {
    *repeated = true;
    return nullptr;
  }
  if (report != nullptr) *report = compiler.report();
  return snapshot;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> CompileFromStore(
    store::Store& store, std::span<const std::string> collection_ids, const CompileOptions& options,
    CompileReport* report) {
  // One collection holds one version (the latest) per id: each indicator is compiled as it
  // is read, and nothing is kept for it but what the snapshot keeps. Only a write or a delete
  // while the pages are read can show an id twice; the collection is then read again, as
  // several collections are, keeping every indicator until the latest version of each is
  // known.
  if (collection_ids.size() == 1) {
    bool repeated = false;
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        ReadAndCompile(store, collection_ids, options, true, report, &repeated);
    if (!repeated) return snapshot;
  }
  bool unused = false;
  return ReadAndCompile(store, collection_ids, options, false, report, &unused);
}

}  // namespace kizuna::detect
