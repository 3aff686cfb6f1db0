// Kizuna.
#include "kizuna/detect/indicator_set.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/page_pipe.h"

namespace kizuna::detect {
namespace {

using Kind = ExtractedIndicator::Kind;
using UuidKey = std::pair<uint64_t, uint64_t>;

UuidKey KeyOf(const Uuid& u) {
  UuidKey k;
  std::memcpy(&k.first, u.data(), 8);
  std::memcpy(&k.second, u.data() + 8, 8);
  return k;
}

void PutU32(std::string& d, uint32_t v) { d.append(reinterpret_cast<const char*>(&v), 4); }

uint32_t GetU32(std::string_view d, size_t& at) {
  uint32_t v;
  std::memcpy(&v, d.data() + at, 4);
  at += 4;
  return v;
}

std::string_view GetText(std::string_view d, size_t& at) {
  const uint32_t size = GetU32(d, at);
  std::string_view text = d.substr(at, size);
  at += size;
  return text;
}

// Keys packed one after the other: kind, slot, then the kind's fields.
void PackKeys(const std::vector<SimpleKey>& keys, std::string& d) {
  for (const SimpleKey& k : keys) {
    d.push_back(static_cast<char>(k.kind));
    d.push_back(static_cast<char>(k.slot));
    switch (k.kind) {
      case SimpleKey::Kind::kString:
      case SimpleKey::Kind::kSuffix:
        PutU32(d, static_cast<uint32_t>(k.text.size()));
        d.append(k.text);
        break;
      case SimpleKey::Kind::kIpv4:
        PutU32(d, k.v4);
        break;
      case SimpleKey::Kind::kBlock:
        d.push_back(k.block.v6 ? 1 : 0);
        d.push_back(static_cast<char>(k.block.prefix));
        if (k.block.v6) {
          d.append(reinterpret_cast<const char*>(&k.block.v6_address), sizeof(Ipv6));
        } else {
          PutU32(d, k.block.v4);
        }
        break;
      case SimpleKey::Kind::kNetDst:
        PutU32(d, static_cast<uint32_t>(k.text.size()));
        d.append(k.text);
        PutU32(d, k.v4);
        PutU32(d, k.port);
        break;
    }
  }
}

std::vector<SimpleKey> UnpackKeys(std::string_view d) {
  std::vector<SimpleKey> keys;
  size_t at = 0;
  while (at < d.size()) {
    SimpleKey& k = keys.emplace_back();
    k.kind = static_cast<SimpleKey::Kind>(d[at]);
    k.slot = static_cast<Slot>(d[at + 1]);
    at += 2;
    switch (k.kind) {
      case SimpleKey::Kind::kString:
      case SimpleKey::Kind::kSuffix:
        k.text = std::string(GetText(d, at));
        break;
      case SimpleKey::Kind::kIpv4:
        k.v4 = GetU32(d, at);
        break;
      case SimpleKey::Kind::kBlock:
        k.block.v6 = d[at] != 0;
        k.block.prefix = static_cast<uint8_t>(d[at + 1]);
        at += 2;
        if (k.block.v6) {
          std::memcpy(&k.block.v6_address, d.data() + at, sizeof(Ipv6));
          at += sizeof(Ipv6);
        } else {
          k.block.v4 = GetU32(d, at);
        }
        break;
      case SimpleKey::Kind::kNetDst:
        k.text = std::string(GetText(d, at));
        k.v4 = GetU32(d, at);
        k.port = GetU32(d, at);
        break;
    }
  }
  return keys;
}

}  // namespace

// One stored entry, extracted.
struct IndicatorSet::Entry {
  static constexpr uint8_t kHasFrom = 1, kHasUntil = 2, kKeys = 4, kPattern = 8;
  Uuid uuid{};             // of the store's id (zero when it is not an indicator id)
  int64_t version_ns = 0;  // the store's, with date_added_us: which entry this is
  int64_t date_added_us = 0;
  int64_t modified_us = 0;
  int64_t valid_from_us = 0;
  int64_t valid_until_us = 0;
  uint64_t data_at = 0;    // in Collection::data: packed keys; a pattern's problem; or
  uint32_t data_size = 0;  // for kMalformed, where '\0' problem
  uint32_t pattern = 0;    // kPattern: in Collection::patterns
  Kind kind = Kind::kIgnored;
  uint8_t flags = 0;
};

struct IndicatorSet::Collection {
  std::vector<Entry> entries;  // in the store's order (oldest date_added first)
  std::string data;
  std::vector<std::shared_ptr<const pattern::Pattern>> patterns;

  // Appends entry `i` of `from`.
  void CopyFrom(const Collection& from, size_t i) {
    Entry e = from.entries[i];
    e.data_at = data.size();
    data.append(from.data, from.entries[i].data_at, e.data_size);
    if (e.flags & Entry::kPattern) {
      e.pattern = static_cast<uint32_t>(patterns.size());
      patterns.push_back(from.patterns[from.entries[i].pattern]);
    }
    entries.push_back(e);
  }
  // Gives back what growing left over, keeping room for a sixteenth more: entries added by
  // an Update then land in place (copying 100 MB to grow costs more than the update itself).
  static size_t Room(size_t n) { return n + n / 16 + 1024; }
  void Fit() {
    const size_t room = Room(entries.size());
    if (entries.capacity() < room || entries.capacity() > room + room / 4) {
      std::vector<Entry> fit;
      fit.reserve(room);
      fit.assign(entries.begin(), entries.end());
      entries = std::move(fit);
    }
    std::string fit_data;
    fit_data.reserve(data.size() + data.size() / 16 + 65536);
    fit_data.assign(data);
    data = std::move(fit_data);
  }
  bool Same(size_t i, const Uuid& uuid, int64_t version_ns, int64_t date_added_us) const {
    const Entry& e = entries[i];
    return e.uuid == uuid && e.version_ns == version_ns && e.date_added_us == date_added_us;
  }
};

IndicatorSet::IndicatorSet(PrivateTag, std::vector<std::string> collection_ids,
                           const CompileOptions& options)
    : collection_ids_(std::move(collection_ids)),
      options_(options),
      extractor_(std::make_unique<IndicatorCompiler>(options)) {}

IndicatorSet::~IndicatorSet() = default;

absl::StatusOr<std::unique_ptr<IndicatorSet>> IndicatorSet::Load(
    store::Store& store, std::vector<std::string> collection_ids, const CompileOptions& options) {
  auto set = std::make_unique<IndicatorSet>(PrivateTag{}, std::move(collection_ids), options);
  KZ_RETURN_IF_ERROR(set->ReadAll(store, set->collections_));
  return set;
}

absl::StatusOr<IndicatorSet::Loaded> IndicatorSet::LoadAndBuild(
    store::Store& store, std::vector<std::string> collection_ids, const CompileOptions& options,
    CompileReport* report) {
  Loaded out;
  out.set = std::make_unique<IndicatorSet>(PrivateTag{}, std::move(collection_ids), options);
  IndicatorSet& set = *out.set;
  std::optional<IndicatorCompiler> compiler;
  if (set.collection_ids_.size() == 1) compiler.emplace(options);
  KZ_RETURN_IF_ERROR(set.ReadAll(store, set.collections_, compiler ? &*compiler : nullptr));
  if (compiler && set.unique_) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = std::move(*compiler).Finish();
    if (!snapshot.ok()) return snapshot.status();
    if (report != nullptr) *report = compiler->report();
    out.snapshot = std::move(*snapshot);
    return out;
  }
  compiler.reset();
  KZ_ASSIGN_OR_RETURN(out.snapshot, set.Build(options, report));
  return out;
}

void IndicatorSet::Keep(const store::StoredObject& o, Collection& into,
                        IndicatorCompiler* compiler) {
  ExtractedIndicator x;
  extractor_->Extract(o.json, o.id, x);
  Entry e;
  if (!ParseIndicatorUuid(o.id, e.uuid)) e.uuid = Uuid{};
  e.version_ns = o.version_ns;
  e.date_added_us = o.date_added_us;
  e.kind = x.kind;
  e.modified_us = x.modified_us;
  if (x.valid_from_us) {
    e.flags |= Entry::kHasFrom;
    e.valid_from_us = *x.valid_from_us;
  }
  if (x.valid_until_us) {
    e.flags |= Entry::kHasUntil;
    e.valid_until_us = *x.valid_until_us;
  }
  e.data_at = into.data.size();
  if (x.kind == Kind::kMalformed) {
    into.data.append(x.where);
    into.data.push_back('\0');
    into.data.append(x.problem);
  } else if (x.kind == Kind::kSelectable) {
    if (x.keys) {
      e.flags |= Entry::kKeys;
      PackKeys(*x.keys, into.data);
    } else if (x.compiled != nullptr) {
      e.flags |= Entry::kPattern;
      e.pattern = static_cast<uint32_t>(into.patterns.size());
      into.patterns.push_back(x.compiled);
    } else {
      into.data.append(x.problem);
    }
  }
  e.data_size = static_cast<uint32_t>(into.data.size() - e.data_at);
  into.entries.push_back(e);
  if (compiler != nullptr) {
    x.uuid = e.uuid;
    compiler->AddExtracted(x);
  }
}

absl::Status IndicatorSet::ReadAll(store::Store& store, std::vector<Collection>& out,
                                   IndicatorCompiler* compiler) {
  KZ_ASSIGN_OR_RETURN(const int64_t deleted, store.EntriesDeleted());
  KZ_ASSIGN_OR_RETURN(const int64_t mark, store.LastDateAdded());
  std::vector<Collection> read(collection_ids_.size());
  int64_t count = 0;
  for (size_t c = 0; c < collection_ids_.size(); ++c) {
    store::PageRequest request;
    request.filter.types = {"indicator"};
    request.limit = std::clamp<size_t>(options_.page_limit, 1, store::kMaxPageLimit);
    const std::string& collection = collection_ids_[c];
    // Reserved from the count of objects (indicators and others): growing by doubling
    // would copy the entries and touch twice their memory.
    KZ_ASSIGN_OR_RETURN(const int64_t objects, store.CountObjects(collection));
    read[c].entries.reserve(Collection::Room(static_cast<size_t>(std::max<int64_t>(objects, 0))));
    store::PagePipe pipe(
        [&](const store::PageRequest& r, store::Page& page) {
          return store.GetObjectsInto(collection, r, store::WithJson::kYes, page);
        },
        request);
    while (std::optional<store::Page> page = pipe.Next()) {
      for (const store::StoredObject& o : page->objects) Keep(o, read[c], compiler);
      count += static_cast<int64_t>(page->objects.size());
      if (options_.on_progress) options_.on_progress(count);
      pipe.Done(std::move(*page));
    }
    if (absl::Status s = pipe.status(); !s.ok()) {
      return Annotate(s, StrCat("reading indicators of collection ", collection, ": "));
    }
    read[c].Fit();
  }
  bool unique = true;
  for (const Collection& c : read) {
    std::vector<UuidKey> ids;
    ids.reserve(c.entries.size());
    for (const Entry& e : c.entries) ids.push_back(KeyOf(e.uuid));
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) unique = false;
  }
  out = std::move(read);
  mark_ = mark;
  deleted_ = deleted;
  unique_ = unique;
  return absl::OkStatus();
}

absl::Status IndicatorSet::ReadAdded(store::Store& store, size_t c, Collection& fresh,
                                     UpdateStats& stats) {
  const std::string& collection = collection_ids_[c];
  store::PageRequest request;
  request.filter.types = {"indicator"};
  request.filter.added_after_us = mark_;
  request.limit = std::clamp<size_t>(options_.page_limit, 1, store::kMaxPageLimit);
  store::PagePipe read(
      [&](const store::PageRequest& r, store::Page& page) {
        return store.GetObjectsInto(collection, r, store::WithJson::kYes, page);
      },
      request);
  while (std::optional<store::Page> page = read.Next()) {
    for (const store::StoredObject& o : page->objects) Keep(o, fresh);
    stats.read += static_cast<int64_t>(page->objects.size());
    read.Done(std::move(*page));
  }
  if (absl::Status s = read.status(); !s.ok()) {
    return Annotate(s, StrCat("reading indicators of collection ", collection, ": "));
  }
  return absl::OkStatus();
}

absl::StatusOr<IndicatorSet::UpdateStats> IndicatorSet::Update(store::Store& store) {
  // Read before anything else: a delete or an add during the read moves them again, and the
  // next Update reads what it changed.
  KZ_ASSIGN_OR_RETURN(const int64_t deleted, store.EntriesDeleted());
  KZ_ASSIGN_OR_RETURN(const int64_t mark, store.LastDateAdded());
  if (deleted == deleted_ && unique_) {
    UpdateStats stats;
    KZ_ASSIGN_OR_RETURN(const bool placed, UpdateAdded(store, mark, stats));
    if (placed) return stats;
  }
  KZ_ASSIGN_OR_RETURN(UpdateStats stats, UpdateListed(store, mark));
  deleted_ = deleted;
  return stats;
}

absl::StatusOr<bool> IndicatorSet::UpdateAdded(store::Store& store, int64_t mark,
                                               UpdateStats& stats) {
  std::vector<Collection> fresh(collection_ids_.size());
  for (size_t c = 0; c < collection_ids_.size(); ++c) {
    KZ_RETURN_IF_ERROR(ReadAdded(store, c, fresh[c], stats));
  }
  // Per collection, the entry of each added id that stays (the last read: a version added
  // during the read comes after the one it replaced), and whether a kept entry is replaced.
  std::vector<absl::flat_hash_map<UuidKey, size_t>> stays(fresh.size());
  std::vector<bool> replaces(fresh.size(), false);
  for (size_t c = 0; c < fresh.size(); ++c) {
    if (fresh[c].entries.empty()) continue;
    for (size_t i = 0; i < fresh[c].entries.size(); ++i) {
      const Entry& e = fresh[c].entries[i];
      // Which kept entry an id that is not an indicator's replaces cannot be told.
      if (e.uuid == Uuid{}) return false;
      stays[c][KeyOf(e.uuid)] = i;
    }
    for (const Entry& e : collections_[c].entries) {
      if (stays[c].contains(KeyOf(e.uuid))) {
        replaces[c] = true;
        break;
      }
    }
  }
  for (size_t c = 0; c < fresh.size(); ++c) {
    if (fresh[c].entries.empty()) continue;
    const auto stays_here = [&](size_t i) {
      auto it = stays[c].find(KeyOf(fresh[c].entries[i].uuid));
      return it != stays[c].end() && it->second == i;
    };
    Collection& kept = collections_[c];
    if (!replaces[c]) {
      // New ids only: appended in place (Fit left room for them).
      const size_t n = stays[c].size();
      if (kept.entries.size() + n > kept.entries.capacity()) {
        kept.entries.reserve(Collection::Room(kept.entries.size() + n));
      }
      kept.data.reserve(kept.data.size() + fresh[c].data.size());
      for (size_t i = 0; i < fresh[c].entries.size(); ++i) {
        if (stays_here(i)) kept.CopyFrom(fresh[c], i);
      }
      continue;
    }
    // A kept entry replaced by a new version: the others are copied, the new ones follow.
    Collection now;
    now.entries.reserve(Collection::Room(kept.entries.size() + stays[c].size()));
    now.data.reserve(kept.data.size() + fresh[c].data.size());
    for (size_t i = 0; i < kept.entries.size(); ++i) {
      const Entry& e = kept.entries[i];
      auto it = stays[c].find(KeyOf(e.uuid));
      if (it == stays[c].end()) {
        now.CopyFrom(kept, i);
        continue;
      }
      // An entry read again (added after the mark the last read began with) is not removed.
      if (!fresh[c].Same(it->second, e.uuid, e.version_ns, e.date_added_us)) ++stats.removed;
    }
    for (size_t i = 0; i < fresh[c].entries.size(); ++i) {
      if (stays_here(i)) now.CopyFrom(fresh[c], i);
    }
    kept = std::move(now);
  }
  mark_ = mark;
  return true;
}

absl::StatusOr<IndicatorSet::UpdateStats> IndicatorSet::UpdateListed(store::Store& store,
                                                                     int64_t mark) {
  UpdateStats stats;
  stats.listed = true;
  std::vector<Collection> next(collection_ids_.size());
  bool full = false;
  for (size_t c = 0; c < collection_ids_.size() && !full; ++c) {
    const std::string& collection = collection_ids_[c];
    const Collection& old = collections_[c];
    Collection& now = next[c];
    now.entries.reserve(old.entries.size());
    now.data.reserve(old.data.size());
    store::PageRequest request;
    request.filter.types = {"indicator"};
    request.limit = std::clamp<size_t>(options_.page_limit, 1, store::kMaxPageLimit);
    // The entries as they are now, without JSON, oldest date_added first: those added up to
    // mark_ must be kept ones, in the same order (the others are gone); the rest are new.
    struct Listed {
      Uuid uuid;
      int64_t version_ns;
      int64_t date_added_us;
    };
    std::vector<Listed> added;
    size_t j = 0;
    store::PagePipe pipe(
        [&](const store::PageRequest& r, store::Page& page) {
          return store.GetObjectsInto(collection, r, store::WithJson::kNo, page);
        },
        request);
    while (std::optional<store::Page> page = pipe.Next()) {
      for (const store::StoredObject& o : page->objects) {
        Listed l{};
        if (!ParseIndicatorUuid(o.id, l.uuid)) l.uuid = Uuid{};
        l.version_ns = o.version_ns;
        l.date_added_us = o.date_added_us;
        ++stats.scanned;
        if (full) continue;
        if (l.date_added_us > mark_) {
          added.push_back(l);
          continue;
        }
        if (!added.empty()) {
          full = true;  // not in date_added order: never expected, read everything
          continue;
        }
        while (j < old.entries.size() && !old.Same(j, l.uuid, l.version_ns, l.date_added_us)) {
          ++j;
          ++stats.removed;
        }
        if (j == old.entries.size()) {
          full = true;  // an entry older than the last read that was not kept
          continue;
        }
        now.CopyFrom(old, j++);
      }
      pipe.Done(std::move(*page));
    }
    if (absl::Status s = pipe.status(); !s.ok()) {
      return Annotate(s, StrCat("listing indicators of collection ", collection, ": "));
    }
    if (full) break;
    stats.removed += static_cast<int64_t>(old.entries.size() - j);
    if (added.empty()) continue;
    // An id twice (a write during the listing) cannot be told apart here.
    absl::flat_hash_set<UuidKey> added_ids;
    for (const Listed& l : added) {
      if (!added_ids.insert(KeyOf(l.uuid)).second) full = true;
    }
    for (const Entry& e : now.entries) {
      if (added_ids.contains(KeyOf(e.uuid))) full = true;
    }
    if (full) break;
    // The JSON of the entries added since mark_ (and of any added since the listing, which
    // the next Update lists).
    Collection fresh;
    KZ_RETURN_IF_ERROR(ReadAdded(store, c, fresh, stats));
    absl::flat_hash_map<UuidKey, size_t> by_id;
    for (size_t i = 0; i < fresh.entries.size(); ++i) by_id[KeyOf(fresh.entries[i].uuid)] = i;
    for (const Listed& l : added) {
      auto it = by_id.find(KeyOf(l.uuid));
      if (it == by_id.end() || !fresh.Same(it->second, l.uuid, l.version_ns, l.date_added_us)) {
        full = true;  // replaced again since the listing
        break;
      }
      now.CopyFrom(fresh, it->second);
    }
  }
  if (full) {
    stats = UpdateStats{};
    stats.listed = true;
    stats.full = true;
    KZ_RETURN_IF_ERROR(ReadAll(store, collections_));
    for (const Collection& c : collections_) stats.read += static_cast<int64_t>(c.entries.size());
    return stats;
  }
  for (Collection& c : next) {
    c.Fit();
  }
  collections_ = std::move(next);
  mark_ = mark;
  unique_ = true;
  return stats;
}

absl::StatusOr<std::shared_ptr<const Snapshot>> IndicatorSet::Build(const CompileOptions& options,
                                                                    CompileReport* report) const {
  // One version per id, in the place of its first, the latest `modified` winning (as
  // IndicatorCompiler::DropDuplicates does across collections; one collection holds one).
  struct Ref {
    uint32_t collection;
    uint32_t entry;
  };
  std::vector<Ref> order;
  size_t total = 0;
  for (const Collection& c : collections_) total += c.entries.size();
  order.reserve(total);
  int64_t dropped = 0;
  const auto entry = [this](const Ref& r) -> const Entry& {
    return collections_[r.collection].entries[r.entry];
  };
  if (collections_.size() == 1 && unique_) {
    for (uint32_t i = 0; i < collections_[0].entries.size(); ++i) order.push_back({0, i});
  } else {
    absl::flat_hash_map<UuidKey, size_t> first;
    first.reserve(total);
    for (uint32_t c = 0; c < collections_.size(); ++c) {
      for (uint32_t i = 0; i < collections_[c].entries.size(); ++i) {
        const Entry& e = collections_[c].entries[i];
        if (e.kind == Kind::kIgnored || e.kind == Kind::kMalformed) {
          order.push_back({c, i});
          continue;
        }
        auto [it, inserted] = first.try_emplace(KeyOf(e.uuid), order.size());
        if (inserted) {
          order.push_back({c, i});
          continue;
        }
        ++dropped;
        Ref& kept = order[it->second];
        if (e.modified_us > entry(kept).modified_us) kept = {c, i};
      }
    }
  }
  IndicatorCompiler compiler(options);
  ExtractedIndicator x;
  for (const Ref& r : order) {
    const Collection& c = collections_[r.collection];
    const Entry& e = c.entries[r.entry];
    const std::string_view data(c.data.data() + e.data_at, e.data_size);
    x.kind = e.kind;
    x.uuid = e.uuid;
    x.modified_us = e.modified_us;
    x.valid_from_us =
        (e.flags & Entry::kHasFrom) ? std::optional<int64_t>(e.valid_from_us) : std::nullopt;
    x.valid_until_us =
        (e.flags & Entry::kHasUntil) ? std::optional<int64_t>(e.valid_until_us) : std::nullopt;
    x.keys.reset();
    x.compiled.reset();
    x.where.clear();
    x.problem.clear();
    if (e.kind == Kind::kMalformed) {
      const size_t cut = data.find('\0');
      x.where = std::string(data.substr(0, cut));
      x.problem = std::string(data.substr(cut + 1));
    } else if (e.kind == Kind::kSelectable) {
      if (e.flags & Entry::kKeys) {
        x.keys = UnpackKeys(data);
      } else if (e.flags & Entry::kPattern) {
        x.compiled = c.patterns[e.pattern];
      } else {
        x.problem = std::string(data);
      }
    }
    compiler.AddExtracted(x);
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = std::move(compiler).Finish();
  if (!snapshot.ok()) return snapshot.status();
  if (report != nullptr) {
    *report = compiler.report();
    report->objects += dropped;
    report->duplicates += dropped;
  }
  return snapshot;
}

size_t IndicatorSet::size() const {
  size_t n = 0;
  for (const Collection& c : collections_) n += c.entries.size();
  return n;
}

size_t IndicatorSet::bytes() const {
  size_t n = 0;
  for (const Collection& c : collections_) {
    n += c.entries.capacity() * sizeof(Entry) + c.data.capacity() +
         c.patterns.capacity() * sizeof(c.patterns[0]);
  }
  return n;
}

}  // namespace kizuna::detect
