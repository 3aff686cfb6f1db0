// Kizuna. One run of a scheduled feed: fetch, convert, import as the feed's user, record.
#pragma once

// RunFeed is what `kizuna feed run` and the node's FeedRunner do for one feed
// (docs/feeds.md, "Scheduled feeds"):
//   1. the feed's user (`feed add --as`) is looked up as a principal, and must still be
//      allowed to write to the feed's collection (`may_write`: the node's grants), at each run;
//   2. the body is fetched (feed_fetch.h: conditional, bounded, own host only), or for a
//      taxii feed the pages added since the last run (feed_taxii.h);
//   3. it goes in by the one path of its format: plain lists (csv, lines) through
//      ingest::ImportFeed and the feed lifecycle, MISP through ingest::ImportMisp, STIX
//      and TAXII pages through the Importer. Everything is written as that user (store.h, WriterKind::kUser):
//      created by its organisation, and objects another organisation created are refused;
//   4. the run is recorded (FeedStore::SaveFeedRun): new and updated objects, rejections,
//      the validators for the next conditional request (a taxii feed's cursor), or the error.
// A failed run keeps what was committed before the failure (the importer's batches).
//
// Thread-safety: one run per feed at a time; the store may be shared.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/identity/principal.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/store/database.h"
#include "kizuna/store/feeds.h"

namespace kizuna::sync {

// Whether `principal` may write to collection `collection_id` (the node's grants).
using MayWrite = std::function<absl::StatusOr<bool>(const identity::Principal& principal,
                                                    std::string_view collection_id)>;

struct FeedRunReport {
  std::string feed;
  bool ok = false;
  bool not_modified = false;
  int64_t bytes = 0;  // of the body, gzip undone
  int redirects = 0;
  int64_t read = 0, new_objects = 0, updated_objects = 0, already_present = 0, rejected = 0;
  std::vector<ingest::Rejection> rejections;  // the first kMaxFeedRejectionsReported
  std::string error;                          // !ok: why
};

inline constexpr size_t kMaxFeedRejectionsReported = 20;

// Runs `feed` once and records the run in `db` under the lead of epoch `lead_epoch`
// (store::FeedRunRecord::lead_epoch; 0: a process that does not lead). Returns the report (a
// failed run is a report with ok false and its error); an error only when the run cannot be
// recorded (FailedPrecondition: that lead has ended).
absl::StatusOr<FeedRunReport> RunFeed(store::Database& db, const store::Feed& feed,
                                      const MayWrite& may_write, Clock& clock,
                                      int64_t lead_epoch = 0);

// Renames the columns of a CSV's first row by `map` ("value=ip,family=threat": the column
// named ip becomes value, ...). Returns InvalidArgument for a malformed map.
absl::StatusOr<std::string> RenameCsvColumns(std::string_view csv, std::string_view map);

}  // namespace kizuna::sync
