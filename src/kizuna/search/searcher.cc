// Kizuna.
#include "kizuna/search/searcher.h"

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/search/normalize.h"
#include "kizuna/stix/predefined_markings.h"

namespace kizuna::search {
namespace {

constexpr size_t kHitPage = 256;

// A string member of an object's JSON, or "".
std::string Member(std::string_view json, std::string_view key) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view value;
  if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) return {};
  if (object[key].get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

// The results of one answer, one per object (its newest released version), in first-seen order.
class ResultSet {
 public:
  Result& Add(const store::LocatedObject& entry) {
    auto [it, added] = at_.try_emplace(entry.object.id, results_.size());
    if (added) {
      results_.push_back(Result{entry.collection_id, entry.object, {}, {}, false});
    } else {
      Result& r = results_[it->second];
      if (std::tie(entry.object.version_ns, entry.object.date_added_us) >
          std::tie(r.object.version_ns, r.object.date_added_us)) {
        r.collection_id = entry.collection_id;
        r.object = entry.object;
      }
    }
    return results_[it->second];
  }
  static void AddReason(Result& r, Reason reason) {
    for (const Reason& known : r.reasons) {
      if (known.relation == reason.relation && known.value == reason.value && known.via == reason.via &&
          known.path == reason.path) {
        return;
      }
    }
    r.reasons.push_back(std::move(reason));
  }
  bool Has(const std::string& id) const { return at_.contains(id); }
  size_t size() const { return results_.size(); }
  void Remove(const std::string& id) {
    auto it = at_.find(id);
    if (it == at_.end()) return;
    results_.erase(results_.begin() + static_cast<std::ptrdiff_t>(it->second));
    at_.clear();
    for (size_t i = 0; i < results_.size(); ++i) at_[results_[i].object.id] = i;
  }
  // Cuts to `limit` results (setting `more` when some were cut) and names them.
  void Finish(size_t limit, Answer& answer) {
    if (results_.size() > limit) {
      answer.more = true;
      results_.resize(limit);
    }
    for (Result& r : results_) r.name = Member(r.object.json, "name");
    answer.results = std::move(results_);
  }
  std::vector<Result>& results() { return results_; }

 private:
  std::vector<Result> results_;
  absl::flat_hash_map<std::string, size_t> at_;
};

std::string_view RelationOf(store::ValueKind kind) {
  return kind == store::ValueKind::kReference ? "referred-by" : "value";
}

// The distinct words of `query`, in order: each, quoted, must occur (FTS5 folds ASCII case).
std::vector<std::string> Words(std::string_view query) {
  std::vector<std::string> words;
  std::string word;
  for (char c : std::string(query) + " ") {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == ':') {
      word += c;
    } else if (!word.empty()) {
      const bool seen =
          std::any_of(words.begin(), words.end(), [&](const std::string& w) { return absl::EqualsIgnoreCase(w, word); });
      if (!seen) words.push_back(std::move(word));
      word.clear();
    }
  }
  return words;
}

// The text prefixes every canonical address inside `block` starts with (normalize.h: IPv4
// dotted decimal, IPv6 RFC 5952): IPv4 its whole octets, or each possible first octet for a
// block shorter than /8; IPv6 its leading non-zero groups (none when there is no such group).
std::vector<std::string> BlockPrefixes(const store::IndexedRange& block) {
  std::vector<std::string> out;
  if (!block.v6) {
    if (block.prefix < 8) {
      for (int octet = block.start[0]; octet <= block.end[0]; ++octet) out.push_back(StrCat(octet, "."));
      return out;
    }
    std::string text;
    for (int i = 0; i < block.prefix / 8 && i < 3; ++i) StrAppend(text, static_cast<int>(block.start[i]), ".");
    out.push_back(text);
    return out;
  }
  std::string text;
  for (int g = 0; g < block.prefix / 16 && g < 7; ++g) {
    int group = block.start[2 * g] << 8 | block.start[2 * g + 1];
    if (group == 0) break;
    text += fmt::format("{:x}:", group);
  }
  if (!text.empty()) out.push_back(text);
  return out;
}

// Whether `inner` lies inside `outer` (same family).
bool Inside(const store::IndexedRange& inner, const store::IndexedRange& outer) {
  if (inner.v6 != outer.v6 || inner.prefix < outer.prefix) return false;
  size_t n = inner.v6 ? 16 : 4;
  return std::lexicographical_compare(inner.start.begin(), inner.start.begin() + n, outer.start.begin(),
                                      outer.start.begin() + n) == false &&
         std::lexicographical_compare(outer.end.begin(), outer.end.begin() + n, inner.end.begin(),
                                      inner.end.begin() + n) == false;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Searcher::Searcher(store::Store& store, store::SearchIndex& index, policy::Policy& policy,
                   store::Directory* directory, Clock& clock, MayReadFn may_read, ListedFn listed,
                   size_t common_threshold)
    : store_(store),
      index_(index),
      policy_(policy),
      directory_(directory),
      clock_(clock),
      may_read_(std::move(may_read)),
      listed_(std::move(listed)),
      common_threshold_(std::max<size_t>(common_threshold, 1)) {}

absl::StatusOr<bool> Searcher::Complete() {
  KZ_ASSIGN_OR_RETURN(store::IndexHead head, index_.GetIndexHead());
  return head.version == extractor_.Version() && !head.behind;
}

absl::StatusOr<std::vector<store::LocatedObject>> Searcher::Release(const identity::Principal& principal,
                                                                    std::vector<store::LocatedObject> entries,
                                                                    std::vector<int64_t>* redacted) {
  if (entries.empty()) return entries;
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> collections, store_.ListCollections(""));
  absl::flat_hash_map<std::string, const store::Collection*> by_id;
  for (const store::Collection& c : collections) by_id[c.id] = &c;
  // Per collection, in one Filter call; then back to the order given.
  absl::flat_hash_map<std::string, std::vector<store::StoredObject>> groups;
  absl::flat_hash_map<int64_t, size_t> order;
  absl::flat_hash_map<int64_t, std::string> stored_json;
  for (size_t i = 0; i < entries.size(); ++i) {
    order[entries[i].object.date_added_us] = i;
    if (redacted != nullptr) stored_json[entries[i].object.date_added_us] = entries[i].object.json;
    groups[entries[i].collection_id].push_back(std::move(entries[i].object));
  }
  std::vector<std::optional<store::LocatedObject>> kept(entries.size());
  for (auto& [collection_id, objects] : groups) {
    auto c = by_id.find(collection_id);
    if (c == by_id.end()) continue;  // a collection created since: nothing from it
    if (!may_read_) continue;
    KZ_ASSIGN_OR_RETURN(bool may_read, may_read_(principal, *c->second));
    if (!may_read) continue;
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, *c->second, objects).status());
    for (store::StoredObject& o : objects) {
      int64_t d = o.date_added_us;
      if (redacted != nullptr && stored_json[d] != o.json) redacted->push_back(d);
      kept[order[d]] = store::LocatedObject{collection_id, std::move(o)};
    }
  }
  std::vector<store::LocatedObject> out;
  for (auto& k : kept) {
    if (k) out.push_back(std::move(*k));
  }
  return out;
}

absl::StatusOr<std::vector<Searcher::ReleasedHit>> Searcher::ReleaseHits(const identity::Principal& principal,
                                                                         std::vector<store::IndexHit> hits) {
  std::vector<int64_t> wanted;
  for (const store::IndexHit& h : hits) wanted.push_back(h.date_added_us);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  KZ_ASSIGN_OR_RETURN(std::vector<store::LocatedObject> entries, index_.ReadEntries(wanted));
  std::vector<int64_t> redacted;
  KZ_ASSIGN_OR_RETURN(entries, Release(principal, std::move(entries), &redacted));
  absl::flat_hash_map<int64_t, const store::LocatedObject*> by_entry;
  for (const store::LocatedObject& e : entries) by_entry[e.object.date_added_us] = &e;
  absl::flat_hash_set<int64_t> was_redacted(redacted.begin(), redacted.end());
  std::vector<ReleasedHit> out;
  store::EntryIndex index;
  for (store::IndexHit& h : hits) {
    auto it = by_entry.find(h.date_added_us);
    if (it == by_entry.end()) continue;
    if (was_redacted.contains(h.date_added_us)) {
      // The value must still be in what is released.
      extractor_.Extract(it->second->object.type, it->second->object.json, index);
      bool carried = std::any_of(index.values.begin(), index.values.end(),
                                 [&](const store::IndexedValue& v) { return v.value == h.value && v.path == h.path; });
      if (!carried) continue;
    }
    out.push_back(ReleasedHit{*it->second, std::move(h)});
  }
  return out;
}

absl::Status Searcher::ScanValue(const identity::Principal& principal, const std::string& value, size_t stop_at,
                                 const std::function<void(ReleasedHit&&)>& each, bool* stopped) {
  absl::flat_hash_set<std::string> objects;
  size_t scanned = 0;
  *stopped = false;
  for (int64_t after = 0;;) {
    std::vector<std::string> one = {value};
    KZ_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits, index_.FindValues(one, after, kHitPage));
    if (hits.empty()) return absl::OkStatus();
    scanned += hits.size();
    after = hits.back().date_added_us;
    bool last_page = hits.size() < kHitPage;
    KZ_ASSIGN_OR_RETURN(std::vector<ReleasedHit> released, ReleaseHits(principal, std::move(hits)));
    for (ReleasedHit& r : released) {
      objects.insert(r.entry.object.id);
      each(std::move(r));
    }
    if (objects.size() >= stop_at || scanned >= kMaxEntriesScanned) {
      *stopped = !last_page;
      return absl::OkStatus();
    }
    if (last_page) return absl::OkStatus();
  }
}

absl::Status Searcher::ScanBlock(const identity::Principal& principal, const store::IndexedRange& block,
                                 size_t stop_at, const std::function<void(ReleasedHit&&, bool common)>& each,
                                 bool* stopped) {
  *stopped = false;
  if (block.prefix == (block.v6 ? 128 : 32)) return absl::OkStatus();
  // Per value: its released hits and objects, handed to `each` once the value's rows end.
  absl::flat_hash_set<std::string> objects;
  std::string current;
  std::vector<ReleasedHit> pending;
  absl::flat_hash_set<std::string> current_objects;
  auto finish_value = [&] {
    if (pending.empty()) return;
    bool common = current_objects.size() >= common_threshold_ || (listed_ && !listed_(current).empty());
    for (ReleasedHit& r : pending) {
      objects.insert(r.entry.object.id);
      each(std::move(r), common);
    }
    pending.clear();
    current_objects.clear();
  };
  size_t scanned = 0;
  for (const std::string& prefix : BlockPrefixes(block)) {
    std::string end = prefix;
    end.back() = static_cast<char>(end.back() + 1);  // '.' -> '/', ':' -> ';'
    std::string after_value = prefix;
    int64_t after_entry = -1;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits,
                          index_.FindValueRange(prefix, end, after_value, after_entry, kHitPage));
      if (hits.empty()) break;
      scanned += hits.size();
      after_value = hits.back().value;
      after_entry = hits.back().date_added_us;
      bool last_page = hits.size() < kHitPage;
      std::erase_if(hits, [&](const store::IndexHit& h) {
        std::optional<store::IndexedRange> inner = ParseBlock(h.value);
        return h.kind == store::ValueKind::kReference || !inner || !Inside(*inner, block) ||
               (inner->prefix == block.prefix);
      });
      KZ_ASSIGN_OR_RETURN(std::vector<ReleasedHit> released, ReleaseHits(principal, std::move(hits)));
      bool skip_rest = false;
      for (ReleasedHit& r : released) {
        if (r.hit.value != current) {
          finish_value();
          current = r.hit.value;
        }
        if (current_objects.size() >= common_threshold_) continue;  // common: enough shown
        current_objects.insert(r.entry.object.id);
        pending.push_back(std::move(r));
        skip_rest = current_objects.size() >= common_threshold_;
      }
      if (skip_rest) {
        after_value = current;  // the rest of a common value's rows
        after_entry = std::numeric_limits<int64_t>::max();
      }
      if (objects.size() + current_objects.size() >= stop_at || scanned >= kMaxEntriesScanned) {
        finish_value();
        *stopped = !last_page;
        return absl::OkStatus();
      }
      if (last_page) break;
    }
  }
  finish_value();
  return absl::OkStatus();
}

absl::StatusOr<bool> Searcher::IsCommon(const identity::Principal& principal, const std::string& value) {
  if (listed_ && !listed_(value).empty()) return true;
  absl::flat_hash_set<std::string> objects;
  bool stopped = false;
  KZ_RETURN_IF_ERROR(ScanValue(principal, value, common_threshold_,
                               [&](ReleasedHit&& r) { objects.insert(r.entry.object.id); }, &stopped));
  return objects.size() >= common_threshold_;
}

absl::StatusOr<ObservableAnswer> Searcher::Observable(const identity::Principal& principal, std::string_view value,
                                                      const SearchOptions& options) {
  if (value.empty() || value.size() > store::kMaxIndexedValueBytes) {
    return absl::InvalidArgumentError(StrCat("an observable value has 1 to ", store::kMaxIndexedValueBytes,
                                             " bytes; this one has ", value.size()));
  }
  const size_t limit = std::clamp<size_t>(options.limit, 1, kMaxLimit);
  ObservableAnswer answer;
  answer.value = NormalizeValue(value);
  KZ_ASSIGN_OR_RETURN(answer.index_complete, Complete());
  if (listed_) answer.listed_in = listed_(answer.value);
  ResultSet results;
  bool stopped = false;
  KZ_RETURN_IF_ERROR(ScanValue(principal, answer.value, std::max(limit + 1, common_threshold_),
                               [&](ReleasedHit&& r) {
                                 ResultSet::AddReason(results.Add(r.entry),
                                                      {std::string(RelationOf(r.hit.kind)), r.hit.path,
                                                       r.hit.value, "", "", false, ""});
                               },
                               &stopped));
  answer.common = !answer.listed_in.empty() || results.size() >= common_threshold_;
  if (std::optional<store::IndexedRange> block = ParseBlock(answer.value)) {
    KZ_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits,
                        index_.FindRanges(block->v6, block->start, block->prefix, kMaxEntriesScanned));
    KZ_ASSIGN_OR_RETURN(std::vector<ReleasedHit> released, ReleaseHits(principal, std::move(hits)));
    for (ReleasedHit& r : released) {
      if (r.hit.value == answer.value) continue;  // the same block: found as a value
      ResultSet::AddReason(results.Add(r.entry), {"in-range", r.hit.path, r.hit.value, "", "", false, ""});
    }
    // A block: also the objects carrying addresses inside it.
    bool block_stopped = false;
    KZ_RETURN_IF_ERROR(ScanBlock(principal, *block, limit + 1,
                                 [&](ReleasedHit&& r, bool value_common) {
                                   ResultSet::AddReason(results.Add(r.entry), {"in-block", r.hit.path, r.hit.value,
                                                                               "", "", value_common, answer.value});
                                 },
                                 &block_stopped));
    stopped = stopped || block_stopped;
  }
  for (Result& r : results.results()) {
    for (Reason& reason : r.reasons) {
      if (reason.relation == "value") reason.common = answer.common;
    }
    r.common_only = std::all_of(r.reasons.begin(), r.reasons.end(), [](const Reason& x) { return x.common; });
  }
  std::stable_sort(results.results().begin(), results.results().end(),
                   [](const Result& a, const Result& b) { return !a.common_only && b.common_only; });
  results.Finish(limit, answer);
  answer.more = answer.more || stopped;
  return answer;
}

absl::StatusOr<std::optional<store::LocatedObject>> Searcher::ReleasedObject(const identity::Principal& principal,
                                                                             std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::LocatedObject> versions, index_.ReadObject(object_id));
  KZ_ASSIGN_OR_RETURN(versions, Release(principal, std::move(versions)));
  std::optional<store::LocatedObject> newest;
  for (store::LocatedObject& v : versions) {
    if (!newest || std::tie(v.object.version_ns, v.object.date_added_us) >
                       std::tie(newest->object.version_ns, newest->object.date_added_us)) {
      newest = std::move(v);
    }
  }
  return newest;
}

absl::StatusOr<std::vector<store::LocatedObject>> Searcher::Versions(const identity::Principal& principal,
                                                                     std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::LocatedObject> versions, index_.ReadObject(object_id));
  KZ_ASSIGN_OR_RETURN(versions, Release(principal, std::move(versions)));
  std::sort(versions.begin(), versions.end(), [](const store::LocatedObject& a, const store::LocatedObject& b) {
    return std::tie(a.object.version_ns, a.object.date_added_us) < std::tie(b.object.version_ns, b.object.date_added_us);
  });
  return versions;
}

absl::StatusOr<Answer> Searcher::Related(const identity::Principal& principal, std::string_view object_id,
                                         const SearchOptions& options) {
  const size_t limit = std::clamp<size_t>(options.limit, 1, kMaxLimit);
  KZ_ASSIGN_OR_RETURN(std::optional<store::LocatedObject> self, ReleasedObject(principal, object_id));
  if (!self) return absl::NotFoundError(StrCat("no object '", object_id, "' that you may read"));
  Answer answer;
  KZ_ASSIGN_OR_RETURN(answer.index_complete, Complete());
  ResultSet results;
  store::EntryIndex own;
  extractor_.Extract(self->object.type, self->object.json, own);
  absl::flat_hash_set<std::string> seen;
  for (const store::IndexedValue& v : own.values) {
    if (v.kind == store::ValueKind::kReference) {
      // What this object refers to (a relationship's ends, a sighting's indicator).
      KZ_ASSIGN_OR_RETURN(std::optional<store::LocatedObject> target, ReleasedObject(principal, v.value));
      if (target) {
        std::string relation = v.path == "sighting_of_ref" ? "sighting-of" : "refers-to";
        ResultSet::AddReason(results.Add(*target), {relation, v.path, v.value, "", "", false, ""});
      }
      continue;
    }
    if (!seen.insert(v.value).second) continue;
    KZ_ASSIGN_OR_RETURN(bool common, IsCommon(principal, v.value));
    bool stopped = false;
    KZ_RETURN_IF_ERROR(ScanValue(principal, v.value, limit + 1,
                                 [&](ReleasedHit&& r) {
                                   ResultSet::AddReason(results.Add(r.entry),
                                                        {std::string(RelationOf(r.hit.kind)), r.hit.path,
                                                         r.hit.value, "", "", common, ""});
                                 },
                                 &stopped));
    answer.more = answer.more || stopped;
    std::optional<store::IndexedRange> block = ParseBlock(v.value);
    if (block && block->prefix < (block->v6 ? 128 : 32)) {
      // The objects carrying addresses inside this block.
      KZ_RETURN_IF_ERROR(ScanBlock(principal, *block, limit + 1,
                                   [&](ReleasedHit&& r, bool value_common) {
                                     ResultSet::AddReason(results.Add(r.entry),
                                                          {"in-block", r.hit.path, r.hit.value, "", "", value_common,
                                                           v.value});
                                   },
                                   &stopped));
      answer.more = answer.more || stopped;
    }
    if (block && block->prefix == (block->v6 ? 128 : 32)) {
      KZ_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits,
                          index_.FindRanges(block->v6, block->start, block->prefix, kMaxEntriesScanned));
      KZ_ASSIGN_OR_RETURN(std::vector<ReleasedHit> released, ReleaseHits(principal, std::move(hits)));
      for (ReleasedHit& r : released) {
        ResultSet::AddReason(results.Add(r.entry), {"in-range", r.hit.path, r.hit.value, "", "", false, ""});
      }
    }
  }
  // What refers to this object: relationships (and the objects at their other end),
  // sightings of it, reports and groupings that list it.
  std::vector<std::pair<std::string, Reason>> ends;
  bool stopped = false;
  KZ_RETURN_IF_ERROR(ScanValue(
      principal, NormalizeValue(self->object.id), limit + 1,
      [&](ReleasedHit&& r) {
        const store::StoredObject& o = r.entry.object;
        if (o.type == "sighting") {
          ResultSet::AddReason(results.Add(r.entry), {"sighted-by", r.hit.path, o.id, "", "", false, ""});
          return;
        }
        ResultSet::AddReason(results.Add(r.entry), {"referred-by", r.hit.path, self->object.id, "", "", false, ""});
        if (o.type != "relationship") return;
        std::string source = Member(o.json, "source_ref"), target = Member(o.json, "target_ref");
        std::string other = NormalizeValue(source) == NormalizeValue(self->object.id) ? target : source;
        ends.emplace_back(other, Reason{"relationship", other == target ? "target_ref" : "source_ref", other, o.id,
                                        Member(o.json, "relationship_type"), false, ""});
      },
      &stopped));
  answer.more = answer.more || stopped;
  for (auto& [other, reason] : ends) {
    KZ_ASSIGN_OR_RETURN(std::optional<store::LocatedObject> end, ReleasedObject(principal, other));
    if (end) ResultSet::AddReason(results.Add(*end), std::move(reason));
  }
  results.Remove(self->object.id);
  for (Result& r : results.results()) {
    r.common_only = std::all_of(r.reasons.begin(), r.reasons.end(), [](const Reason& x) { return x.common; });
  }
  std::stable_sort(results.results().begin(), results.results().end(), [](const Result& a, const Result& b) {
    if (a.common_only != b.common_only) return !a.common_only;
    return a.reasons.size() > b.reasons.size();
  });
  results.Finish(limit, answer);
  return answer;
}

absl::StatusOr<Answer> Searcher::Text(const identity::Principal& principal, const TextRequest& request,
                                      const SearchOptions& options) {
  if (request.query.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(StrCat("a search query has at most ", kMaxQueryBytes, " bytes; this one has ",
                                             request.query.size()));
  }
  std::vector<std::string> words = Words(request.query);
  if (words.empty()) return absl::InvalidArgumentError(StrCat("the search query '", request.query, "' has no words"));
  if (words.size() > kMaxQueryWords) {
    return absl::InvalidArgumentError(StrCat("a search query has at most ", kMaxQueryWords, " distinct words; this one has ",
                                             words.size()));
  }
  const size_t limit = std::clamp<size_t>(options.limit, 1, kMaxLimit);
  store::TextQuery query;
  for (const std::string& w : words) StrAppend(query.match, query.match.empty() ? "" : " ", "\"", w, "\"");
  query.types = request.types;
  query.added_after_us = request.added_after_us;
  query.added_before_us = request.added_before_us;
  if (request.valid_now) query.valid_at_us = clock_.NowMicros();
  query.limit = kMaxEntriesScanned;
  absl::flat_hash_set<std::string> tlp_ids;
  for (const stix::PredefinedTlpMarking& m : stix::PredefinedTlpMarkings()) {
    if (std::find(request.tlp.begin(), request.tlp.end(), m.level) != request.tlp.end()) tlp_ids.insert(std::string(m.id));
  }
  absl::flat_hash_map<std::string, std::string> nations;
  if (!request.creator_nations.empty() && directory_ != nullptr) {
    KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, directory_->ListOrganizations());
    for (const store::Organization& o : orgs) nations[o.id] = o.nation;
  }
  Answer answer;
  KZ_ASSIGN_OR_RETURN(answer.index_complete, Complete());
  ResultSet results;
  // Only the collections the principal may read are ranked, so matches elsewhere neither
  // crowd the readable ones out of the kMaxEntriesScanned ranked nor cost their ranking.
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> collections, store_.ListCollections(""));
  for (const store::Collection& c : collections) {
    if (!request.collections.empty() &&
        std::find(request.collections.begin(), request.collections.end(), c.id) == request.collections.end()) {
      continue;
    }
    if (!may_read_) continue;
    KZ_ASSIGN_OR_RETURN(bool may_read, may_read_(principal, c));
    if (may_read) query.collections.push_back(c.id);
  }
  if (query.collections.empty()) {
    results.Finish(limit, answer);
    return answer;
  }
  if (query.collections.size() == collections.size()) query.collections.clear();  // every one: no filter
  KZ_ASSIGN_OR_RETURN(const std::vector<int64_t> ranked, index_.FindText(query));
  size_t scanned = 0;
  for (; results.size() <= limit && scanned < ranked.size(); scanned += kHitPage) {
    std::span<const int64_t> page(ranked.data() + scanned, std::min(kHitPage, ranked.size() - scanned));
    KZ_ASSIGN_OR_RETURN(std::vector<store::LocatedObject> entries, index_.ReadEntries(page));
    std::vector<int64_t> redacted;
    KZ_ASSIGN_OR_RETURN(entries, Release(principal, std::move(entries), &redacted));
    store::EntryIndex text;
    for (const store::LocatedObject& e : entries) {
      if (!request.tlp.empty()) {
        bool marked = std::any_of(tlp_ids.begin(), tlp_ids.end(),
                                  [&](const std::string& id) { return e.object.markings.find(id) != std::string::npos; });
        if (!marked) continue;
      }
      if (!request.creator_nations.empty()) {
        std::string_view creator = e.object.created_by_ref.empty() ? e.object.added_by : e.object.created_by_ref;
        auto n = nations.find(std::string(creator));
        if (n == nations.end() || std::find(request.creator_nations.begin(), request.creator_nations.end(),
                                            n->second) == request.creator_nations.end()) {
          continue;
        }
      }
      if (std::find(redacted.begin(), redacted.end(), e.object.date_added_us) != redacted.end()) {
        extractor_.Extract(e.object.type, e.object.json, text);
        std::string released = Lower(text.names + "\n" + text.text);
        bool all = std::all_of(words.begin(), words.end(),
                               [&](const std::string& w) { return released.find(Lower(w)) != std::string::npos; });
        if (!all) continue;
      }
      ResultSet::AddReason(results.Add(e), {"text", "", request.query, "", "", false, ""});
    }
  }
  // Every ranked entry read and the ranking cut at its limit: more may follow.
  answer.more = scanned >= ranked.size() && ranked.size() >= query.limit;
  results.Finish(limit, answer);
  return answer;
}

}  // namespace kizuna::search
