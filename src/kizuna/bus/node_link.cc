// Kizuna. The node's side of the telemetry bus (node_link.h).
#include "kizuna/bus/node_link.h"

#include <algorithm>

#include "kizuna/base/clock.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/messages.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/added_since.h"

namespace kizuna::bus {
namespace {

// Indicator-window sums kept in memory at most (NodeLink::Apply refuses new ones beyond).
constexpr size_t kMaxSums = 1'000'000;

constexpr size_t kMaxProblemsKept = 20;
constexpr int kFetchReports = 256;
constexpr int64_t kFetchWaitMs = 100;
// Sums changed by reports are written at most this often: a sum that many reports change
// while workers are busy is written once per interval, not once per report fetched (each
// write is a new sighting version). The delay from a batch to its sighting grows by as much.
constexpr int64_t kWriteIntervalUs = 250'000;
// The set is read again at least this often, whatever the checks say: a delete moves no
// date_added.
constexpr int64_t kSetReadAgainUs = int64_t{300} * 1'000'000;
// Latency samples kept (the oldest are dropped beyond it).
constexpr size_t kMaxLatencySamples = 1 << 20;

// Marking definitions alone make the set be read again at most this often. A definition is
// never replaced, and an entry whose marking is unknown is withheld, so a new definition can
// only release more: waiting delays a release, never a withdrawal. Without the bound, anyone
// who may add a marking definition to any collection could make the node read its whole set
// at every check.
constexpr int64_t kMarkingsReadAgainUs = int64_t{60} * 1'000'000;

// What entries added after `mark_us` may have changed in the indicator set.
enum class SetChange {
  kNone,       // nothing that decides it: other entries, the node's own sightings first
  kMarkings,   // a marking definition, in any collection (the policy reads them all)
  kIndicators  // an indicator in one of its collections
};

absl::StatusOr<SetChange> SetMayHaveChanged(store::Store& store,
                                            const std::vector<store::Collection>& set,
                                            int64_t mark_us) {
  for (const store::Collection& c : set) {
    KZ_ASSIGN_OR_RETURN(bool added, store::AddedSince(store, c.id, mark_us, {"indicator"}));
    if (added) return SetChange::kIndicators;
  }
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> all, store.ListCollections(""));
  for (const store::Collection& c : all) {
    KZ_ASSIGN_OR_RETURN(bool added,
                        store::AddedSince(store, c.id, mark_us, {"marking-definition"}));
    if (added) return SetChange::kMarkings;
  }
  return SetChange::kNone;
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

}  // namespace

NodeLink::NodeLink(Bus& bus, store::Database& db, policy::Policy& policy, NodeLinkOptions options)
    : bus_(bus), db_(db), policy_(policy), options_(std::move(options)) {
  ingest::ImportOptions import;
  import.format = stix::DocumentFormat::kJsonLines;
  import.writer = options_.writer;
  importer_ = std::make_unique<ingest::Importer>(db_, options_.sightings_collection, import);
}

absl::StatusOr<std::vector<store::Collection>> NodeLink::Collections() {
  KZ_ASSIGN_OR_RETURN(const std::vector<store::Collection> all, db_.ListCollections(""));
  std::vector<store::Collection> out;
  for (const store::Collection& given : options_.collections) {
    auto c = std::find_if(all.begin(), all.end(),
                          [&](const store::Collection& a) { return a.id == given.id; });
    if (c == all.end())
      return absl::NotFoundError(StrCat("collection '", given.id, "' no longer exists"));
    out.push_back(*c);
  }
  return out;
}

std::string NodeLink::PolicyKey(const std::vector<store::Collection>& collections) {
  std::string key;
  for (const store::Collection& c : collections) StrAppend(key, policy::CollectionKey(c), '\0');
  return key;
}

absl::Status NodeLink::PublishSet() {
  ++summary_.set_reads;
  policy::ReleasedReader reader(db_, policy_);
  std::string lines;
  int64_t count = 0;
  std::vector<detect::Uuid> ids;
  absl::flat_hash_set<detect::Uuid> revoked;  // released, but no longer matched
  // The collections as they are now: their communities and default release decide too.
  KZ_ASSIGN_OR_RETURN(const std::vector<store::Collection> collections, Collections());
  policy_key_ = PolicyKey(collections);
  for (const store::Collection& c : collections) {
    store::PageRequest request;
    request.limit = store::kMaxPageLimit;
    request.filter.types = {"indicator"};
    for (;;) {
      KZ_ASSIGN_OR_RETURN(store::Page page, reader.Read(options_.principal, c, {}, request));
      for (const store::StoredObject& o : page.objects) {
        if (o.type != "indicator") continue;
        detect::Uuid uuid;
        const bool parsed = detect::ParseIndicatorUuid(o.id, uuid);
        // A revoked indicator matches nothing: it leaves the set.
        if (o.revoked) {
          if (parsed) revoked.insert(uuid);
          continue;
        }
        StrAppend(lines, o.json, "\n");
        ++count;
        if (parsed) ids.push_back(uuid);
      }
      if (!page.more) break;
      request.after = page.next;
    }
  }
  const Sha256Digest digest = Sha256(lines);
  const std::string hex =
      HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  // Reports of the set before may name only indicators revoked since (batches matched
  // against it are in flight); one withheld or deleted since is refused from now on.
  absl::erase_if(previous_, [&](const detect::Uuid& id) { return !revoked.contains(id); });
  if (hex == set_digest_) return absl::OkStatus();
  // The version: the digest's first 52 bits (a JSON number any reader keeps exactly).
  uint64_t version = 0;
  for (int i = 0; i < 7; ++i) version = (version << 8) | digest[i];
  version >>= 4;
  int64_t too_long = 0;
  const std::vector<std::string> chunks = ChunkLines(lines, &too_long);
  const std::string v = StrCat(version);
  for (size_t i = 0; i < chunks.size(); ++i) {
    KZ_RETURN_IF_ERROR(
        bus_.Publish(StrCat(kSetChunkPrefix, i), chunks[i], {{kHeaderSetVersion, v}}).status());
  }
  SetHead head{version, static_cast<int64_t>(chunks.size()), count - too_long, options_.window_s};
  KZ_RETURN_IF_ERROR(bus_.Publish(kSetHeadSubject, EncodeSetHead(head)).status());
  // Every indicator of the set may be reported from now on, and those of the set it replaces
  // that were revoked since, for a grace period; those of older sets no longer.
  previous_.clear();
  for (const detect::Uuid& id : current_) {
    if (revoked.contains(id)) previous_.insert(id);
  }
  current_ = absl::flat_hash_set<detect::Uuid>(ids.begin(), ids.end());
  previous_until_us_ = SystemClock().NowMicros() + options_.set_grace_s * 1000000;
  set_digest_ = hex;
  ++summary_.sets;
  summary_.set_version = version;
  summary_.indicators = head.indicators;
  if (on_event) {
    on_event(StrCat("published indicator set ", version, ": ", head.indicators, " indicators in ",
                    head.chunks, " chunk(s)",
                    too_long > 0 ? StrCat(", ", too_long, " too long to send") : std::string()));
  }
  return absl::OkStatus();
}

bool NodeLink::Reportable(const detect::Uuid& indicator, int64_t now_us) {
  if (current_.contains(indicator)) return true;
  if (now_us < previous_until_us_) return previous_.contains(indicator);
  if (!previous_.empty()) previous_ = {};  // the grace is over: free it
  return false;
}

void NodeLink::Apply(std::string_view data, uint64_t sequence) {
  absl::StatusOr<SightingReport> report =
      DecodeSightingReport(data, StrCat(kSightingsSubject, " #", sequence));
  if (!report.ok()) {
    if (summary_.problems.size() < kMaxProblemsKept)
      summary_.problems.push_back(std::string(report.status().message()));
    return;
  }
  const int64_t window_us = options_.window_s * 1000000;
  const int64_t now_us = SystemClock().NowMicros();
  // Telemetry may be old (a replayed capture), never from the future.
  const int64_t latest_window_us = now_us + window_us;
  bool any = false;
  for (const detect::SightingAggregator::Entry& e : report->entries) {
    const Key key{e.indicator, e.window_start_us};
    if (!Reportable(e.indicator, now_us) || e.window_start_us % window_us != 0 ||
        e.last_us >= e.window_start_us + window_us || e.window_start_us > latest_window_us ||
        (sums_.size() >= kMaxSums && !sums_.contains(key))) {
      ++summary_.refused_entries;
      continue;
    }
    any = true;
    auto [it, inserted] = sums_.try_emplace(key, e);
    if (!inserted) {
      detect::SightingAggregator::Entry& sum = it->second;
      sum.first_us = std::min(sum.first_us, e.first_us);
      sum.last_us = std::max(sum.last_us, e.last_us);
      sum.count = std::min(sum.count + e.count, detect::kMaxSightingCount);
    }
    dirty_.push_back(key);
  }
  summary_.records += report->records;
  if (any && report->shipped_us > 0) pending_shipped_us_.push_back(report->shipped_us);
}

absl::Status NodeLink::WriteDirty() {
  if (dirty_.empty()) return absl::OkStatus();
  std::sort(dirty_.begin(), dirty_.end(), [](const Key& a, const Key& b) {
    return a.indicator != b.indicator ? a.indicator < b.indicator : a.window < b.window;
  });
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  std::string lines;
  for (const Key& key : dirty_) {
    const detect::SightingAggregator::Entry& e = sums_.at(key);
    StrAppend(lines,
              detect::SightingJson(e, options_.identity, {},
                                   std::max(e.last_us, e.window_start_us) + e.count - 1),
              "\n");
  }
  KZ_RETURN_IF_ERROR(
      importer_->ImportText("sightings from the bus", lines, stix::Padding::kAbsent));
  dirty_.clear();
  const ingest::ImportSummary& s = importer_->summary();
  summary_.added = s.added;
  summary_.already_present = s.already_present;
  summary_.rejected = s.rejected;
  const int64_t now = SystemClock().NowMicros();
  for (int64_t shipped : pending_shipped_us_) {
    if (latencies_s_.size() >= kMaxLatencySamples) latencies_s_.erase(latencies_s_.begin());
    latencies_s_.push_back(static_cast<double>(now - shipped) / 1e6);
  }
  pending_shipped_us_.clear();
  return absl::OkStatus();
}

absl::Status NodeLink::Run() {
  KZ_RETURN_IF_ERROR(bus_.EnsureStream(IndicatorsStreamSpec()));
  KZ_RETURN_IF_ERROR(
      bus_.EnsureStream(SightingsStreamSpec(options_.duplicate_window_s, options_.max_age_s)));
  KZ_ASSIGN_OR_RETURN(int64_t mark, db_.LastDateAdded());
  KZ_ASSIGN_OR_RETURN(int64_t directory, db_.ChangeVersion());
  KZ_RETURN_IF_ERROR(PublishSet());
  // Every report the stream holds, from its first: the sums of earlier runs.
  KZ_ASSIGN_OR_RETURN(uint64_t replay_to, bus_.LastSequence(kSightingsStream));
  ConsumerSpec spec;
  spec.stream = kSightingsStream;
  spec.subject = kSightingsSubject;
  spec.ack = false;
  spec.max_ack_pending = -1;
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<PullConsumer> consumer, bus_.Consume(spec));
  auto stopped = [this] { return options_.stop != nullptr && options_.stop->load(); };
  Clock& clock = SystemClock();
  uint64_t seen = 0;
  while (seen < replay_to && !stopped()) {
    KZ_ASSIGN_OR_RETURN(std::vector<Message> batch, consumer->Fetch(kFetchReports, 1000));
    if (batch.empty()) break;  // expired meanwhile
    for (Message& m : batch) {
      Apply(m.data(), m.stream_sequence());
      seen = m.stream_sequence();
      ++summary_.replayed;
    }
  }
  pending_shipped_us_.clear();
  KZ_RETURN_IF_ERROR(WriteDirty());
  int64_t last_check_us = clock.NowMicros(), last_report_us = clock.NowMicros(), last_write_us = 0;
  int64_t last_read_us = clock.NowMicros();
  bool markings_pending = false;  // marking definitions added since the set was last read
  while (!stopped()) {
    KZ_ASSIGN_OR_RETURN(std::vector<Message> batch, consumer->Fetch(kFetchReports, kFetchWaitMs));
    for (Message& m : batch) {
      Apply(m.data(), m.stream_sequence());
      ++summary_.reports;
    }
    const int64_t now = clock.NowMicros();
    if (now - last_write_us >= kWriteIntervalUs) {
      last_write_us = now;
      KZ_RETURN_IF_ERROR(WriteDirty());
    }
    if (!batch.empty()) {
      last_report_us = now;
      if (on_progress) on_progress(summary_);
    }
    if (now - last_check_us >= options_.check_ms * 1000) {
      last_check_us = now;
      KZ_ASSIGN_OR_RETURN(int64_t current, db_.LastDateAdded());
      KZ_ASSIGN_OR_RETURN(int64_t directory_now, db_.ChangeVersion());
      bool read = now - last_read_us >= kSetReadAgainUs;
      if (directory_now != directory) {
        // Most directory changes (tokens, passwords, other users) leave the set as it is:
        // the user and its grants are checked, and the set is read again only when a
        // collection's communities or default release changed.
        if (options_.check_grants) KZ_RETURN_IF_ERROR(options_.check_grants());
        KZ_ASSIGN_OR_RETURN(const std::vector<store::Collection> collections, Collections());
        read = read || PolicyKey(collections) != policy_key_;
      }
      if (current != mark) {
        KZ_ASSIGN_OR_RETURN(SetChange change, SetMayHaveChanged(db_, options_.collections, mark));
        read = read || change == SetChange::kIndicators;
        markings_pending = markings_pending || change == SetChange::kMarkings;
      }
      read = read || (markings_pending && now - last_read_us >= kMarkingsReadAgainUs);
      mark = current;
      directory = directory_now;
      if (read) {
        last_read_us = now;
        markings_pending = false;
        KZ_RETURN_IF_ERROR(PublishSet());
      }
    }
    if (batch.empty() && options_.exit_when_idle_ms > 0 &&
        now - last_report_us >= options_.exit_when_idle_ms * 1000) {
      break;
    }
  }
  return WriteDirty();  // what came since the last write
}

NodeLinkSummary NodeLink::summary() const {
  NodeLinkSummary s = summary_;
  s.latency_samples = static_cast<int64_t>(latencies_s_.size());
  s.latency_p50_s = Quantile(latencies_s_, 0.5);
  s.latency_p99_s = Quantile(latencies_s_, 0.99);
  s.latency_max_s =
      latencies_s_.empty() ? 0 : *std::max_element(latencies_s_.begin(), latencies_s_.end());
  return s;
}

}  // namespace kizuna::bus
