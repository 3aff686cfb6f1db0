// Kizuna.
#include "kizuna/sync/syncer.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "kizuna/base/read_ahead.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/policy/exercise.h"
#include "kizuna/stix/reader.h"
#include "kizuna/store/peer_url.h"
#include "kizuna/sync/next_cursor.h"
#include "simdjson.h"

namespace kizuna::sync {
namespace {

std::string CollectionPath(const store::Peer& peer, const store::PeerMapping& m) {
  return StrCat("/", peer.api_root, "/collections/", m.remote_collection, "/objects/");
}

// The error a peer's HTTP answer carries, for the mapping's last_error.
absl::Status HttpError(const ClientResponse& r, std::string_view what) {
  std::string detail = r.body.substr(0, 300);
  absl::StatusCode code = r.status == 401 || r.status == 403 ? absl::StatusCode::kPermissionDenied
                          : r.status == 404                   ? absl::StatusCode::kNotFound
                                                              : absl::StatusCode::kUnavailable;
  return absl::Status(code, StrCat(what, ": HTTP ", r.status, " ", detail));
}

// The objects of one pulled envelope, checked (ingest::ObjectChecker); invalid ones are
// kept as (id, reason) for the store to record and the report to count, and skipped (one
// bad object must not stop a mapping).
struct PulledPage {
  std::string last;                      // its X-TAXII-Date-Added-Last
  std::deque<std::string> texts;
  std::deque<stix::ObjectIndex> indexes;
  std::vector<store::NewObject> objects;
  std::vector<std::string> dates;
  std::deque<std::string> invalid_text;  // ids and reasons of the invalid objects
  std::vector<std::pair<std::string_view, std::string_view>> invalid;
  int64_t read = 0;                      // objects in the envelope
  bool more = false;
};

absl::StatusOr<PulledPage> ReadEnvelope(const ClientResponse& r) {
  PulledPage page;
  std::string_view date = r.Header("X-TAXII-Date-Added-Last");
  page.last = std::string(date);
  stix::DocumentReader reader(r.body, stix::ReaderOptions{}, stix::DocumentFormat::kEnvelope);
  ingest::ObjectChecker checker;
  stix::ObjectSpan span;
  const auto invalid = [&](std::string_view id, std::string_view reason) {
    reason = ingest::WithoutId(id, reason);
    std::string_view kept_id = page.invalid_text.emplace_back(id);
    page.invalid.emplace_back(kept_id, page.invalid_text.emplace_back(reason));
  };
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool more, reader.Next(span));
    if (!more) break;
    ++page.read;
    if (!span.error.empty()) {
      invalid("", span.error);
      continue;
    }
    page.texts.emplace_back(span.json);
    absl::StatusOr<stix::ObjectIndex> index = checker.Check(page.texts.back(), stix::Padding::kAbsent);
    if (!index.ok()) {
      invalid(checker.last_id(), View(index.status().message()));
      page.texts.pop_back();
      continue;
    }
    page.indexes.push_back(std::move(*index));
    page.objects.push_back({page.texts.back(), &page.indexes.back()});
    page.dates.emplace_back(date);
  }
  simdjson::dom::parser json;
  simdjson::padded_string text(r.body);
  simdjson::dom::element root;
  bool more = false;
  if (json.parse(text).get(root) == simdjson::SUCCESS && root["more"].get_bool().get(more) == simdjson::SUCCESS) {
    page.more = more;
  }
  return page;
}

// Reads the pages of one pull (for ReadAhead): `path` after `cursor`, at most `max_pages` pages
// of `page_size`. The next page's added_after is the X-TAXII-Date-Added-Last of the one
// before, known as soon as it arrives, so fetching needs nothing from the store.
ReadAhead<PulledPage>::ReadFn PullPages(TaxiiClient& client, std::string path, std::string cursor,
                                        size_t page_size, int max_pages, std::string what) {
  return [=, &client, pages = 0](PulledPage& page) mutable -> absl::StatusOr<ReadOutcome> {
    if (pages == max_pages) return ReadOutcome::kNone;
    std::string target = StrCat(path, "?limit=", page_size, "&match[version]=all&match[spec_version]=2.0,2.1");
    if (!cursor.empty()) StrAppend(target, "&added_after=", cursor);
    KZ_ASSIGN_OR_RETURN(ClientResponse r, client.Get(target));
    if (r.status != 200) return HttpError(r, what);
    const std::string_view last = r.Header("X-TAXII-Date-Added-Last");
    if (last.empty()) return ReadOutcome::kNone;  // an empty page: nothing after the cursor
    KZ_RETURN_IF_ERROR(CheckNextCursor(what, last, cursor, 64));
    absl::StatusOr<PulledPage> read = ReadEnvelope(r);
    if (!read.ok()) return Annotate(read.status(), StrCat(what, ": "));
    page = std::move(*read);
    cursor = page.last;
    ++pages;
    return page.more ? ReadOutcome::kMore : ReadOutcome::kLast;
  };
}

}  // namespace

absl::StatusOr<Endpoint> EndpointOf(const store::Peer& peer) {
  KZ_ASSIGN_OR_RETURN(store::PeerUrl url, store::ParsePeerUrl(peer.url));
  return Endpoint{.name = StrCat("peer ", peer.name),
                  .url = peer.url,
                  .tls = url.tls,
                  .host = std::move(url.host),
                  .port = std::move(url.port),
                  .auth = peer.auth,
                  .token = peer.token,
                  .basic_user = peer.basic_user,
                  .ca_file = peer.ca_file,
                  .client_cert = peer.client_cert,
                  .client_key = peer.client_key};
}

Syncer::Syncer(store::Database& db, policy::Policy& policy, Clock& clock, SyncOptions options)
    : db_(db), clock_(clock), options_(options), reader_(db, policy) {}

absl::StatusOr<std::vector<MappingReport>> Syncer::RunOnce(
    const std::vector<std::string>& local_collections) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Peer> peers, db_.ListPeers());
  std::vector<MappingReport> reports;
  for (const store::Peer& peer : peers) {
    KZ_ASSIGN_OR_RETURN(std::vector<MappingReport> some, RunPeer(peer, local_collections));
    for (MappingReport& r : some) reports.push_back(std::move(r));
  }
  return reports;
}

absl::StatusOr<std::vector<MappingReport>> Syncer::RunPeer(
    const store::Peer& peer, const std::vector<std::string>& local_collections,
    int64_t lead_epoch) {
  std::vector<MappingReport> reports;
  {
    // A URL that breaks the rules fails every mapping, before any connection.
    absl::StatusOr<Endpoint> endpoint = EndpointOf(peer);
    TaxiiClient client(endpoint.ok() ? *endpoint : Endpoint{}, options_.client);
    for (const store::PeerMapping& m : peer.mappings) {
      if (!local_collections.empty() &&
          std::find(local_collections.begin(), local_collections.end(), m.local_collection) ==
              local_collections.end()) {
        continue;
      }
      MappingReport& report = reports.emplace_back();
      report.peer = peer.name;
      report.local_collection = m.local_collection;
      report.remote_collection = m.remote_collection;
      report.pulled.max_kept = kMaxReportedRejections;
      absl::Status s = endpoint.status();
      if (s.ok()) s = CheckExercise(peer, m);
      if (s.ok() && m.Pulls()) s = Pull(peer, m, client, lead_epoch, report);
      if (s.ok() && m.Pushes()) s = Push(peer, m, client, lead_epoch, report);
      if (!s.ok()) {
        report.error = std::string(View(s.message()));
        KZ_RETURN_IF_ERROR(
            db_.SaveSyncError(peer.name, m, report.error, clock_.NowMicros(), lead_epoch));
      }
    }
  }
  return reports;
}

absl::Status Syncer::CheckExercise(const store::Peer& peer, const store::PeerMapping& mapping) {
  KZ_ASSIGN_OR_RETURN(store::Collection collection, db_.FindCollection("", mapping.local_collection));
  return policy::CheckExerciseSync(collection, peer);
}

absl::Status Syncer::Pull(const store::Peer& peer, const store::PeerMapping& mapping,
                          TaxiiClient& client, int64_t lead_epoch, MappingReport& report) {
  const std::string where = StrCat(peer.name, ":", mapping.remote_collection);
  // Pages are fetched and checked on a thread of their own while the page before is stored;
  // one waits at most, so a pull holds at most three pages, each up to the client's
  // max_response_bytes.
  ReadAhead<PulledPage> ahead(PullPages(client, CollectionPath(peer, mapping), mapping.pull_cursor,
                                        options_.page_size, options_.max_pages_per_pass,
                                        StrCat("pulling ", mapping.remote_collection)),
                              1);
  // Each page is stored only from the cursor it was asked after.
  std::string after = mapping.pull_cursor;
  while (std::optional<PulledPage> page = ahead.Next()) {
    report.pulled.read += page->read;
    for (const auto& [id, reason] : page->invalid) report.pulled.Reject(where, std::string(id), std::string(reason));
    store::PullBatch batch{.peer = peer.name,
                           .remote_collection = mapping.remote_collection,
                           .remote_date_added = page->dates,
                           .cursor = page->last,
                           .invalid = page->invalid,
                           .after = after,
                           .lead_epoch = lead_epoch};
    KZ_ASSIGN_OR_RETURN(std::vector<store::AddResult> results,
                        db_.AddPulledObjects(mapping.local_collection, page->objects, batch));
    after = page->last;
    for (size_t i = 0; i < results.size(); ++i) {
      if (!report.pulled.Count(results[i])) {
        report.pulled.Reject(where, page->indexes[i].id, std::string(ingest::RejectionReason(results[i])));
      }
    }
  }
  KZ_RETURN_IF_ERROR(ahead.status());
  return db_.SavePullPass(peer.name, mapping, clock_.NowMicros(), lead_epoch);
}

absl::Status Syncer::Push(const store::Peer& peer, const store::PeerMapping& mapping,
                          TaxiiClient& client, int64_t lead_epoch, MappingReport& report) {
  KZ_ASSIGN_OR_RETURN(store::Collection collection, db_.FindCollection("", mapping.local_collection));
  identity::Principal principal = policy::PrincipalForPeer(peer);
  store::PageRequest request;
  request.limit = options_.page_size;
  request.filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
  request.filter.spec_versions = {stix::SpecVersion::k20, stix::SpecVersion::k21};
  request.after = store::Cursor{mapping.push_cursor_us};
  std::vector<int64_t> acknowledged;  // date_added of the entries the peer acknowledged
  for (int pages = 0; pages < options_.max_pages_per_pass; ++pages) {
    KZ_ASSIGN_OR_RETURN(store::Page page, reader_.Read(principal, collection, {}, request));
    if (page.next.after_date_added_us == request.after->after_date_added_us) {
      // Nothing new: the pass succeeded all the same (the history of passes, sync_runs).
      if (pages > 0) break;
      return db_.SavePushProgress(peer.name, mapping, mapping.push_cursor_us, {},
                                  clock_.NowMicros(), lead_epoch);
    }
    std::string body = "{\"objects\":[";
    acknowledged.clear();
    for (const store::StoredObject& o : page.objects) {
      if (o.origin == peer.name) continue;  // it came from there
      StrAppend(body, acknowledged.empty() ? "" : ",", o.json);
      acknowledged.push_back(o.date_added_us);
    }
    body += "]}";
    if (!acknowledged.empty()) {
      KZ_ASSIGN_OR_RETURN(ClientResponse r, client.Post(CollectionPath(peer, mapping), std::move(body)));
      if (r.status != 202) return HttpError(r, StrCat("pushing to ", mapping.remote_collection));
      report.pushed += static_cast<int64_t>(acknowledged.size());
    }
    KZ_RETURN_IF_ERROR(db_.SavePushProgress(peer.name, mapping, page.next.after_date_added_us,
                                            acknowledged, clock_.NowMicros(), lead_epoch));
    if (!page.more) break;
    request.after = page.next;
  }
  return absl::OkStatus();
}

}  // namespace kizuna::sync
