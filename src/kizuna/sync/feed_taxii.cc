// Kizuna.
#include "kizuna/sync/feed_taxii.h"

#include <chrono>
#include <utility>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/sync/feed_fetch.h"
#include "kizuna/sync/next_cursor.h"
#include "kizuna/sync/taxii_client.h"
#include "simdjson.h"

namespace kizuna::sync {
namespace {

// Whether the envelope `body` says that more objects follow.
bool SaysMore(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(body);
  simdjson::dom::element root;
  bool more = false;
  return parser.parse(text).get(root) == simdjson::SUCCESS &&
         root["more"].get_bool().get(more) == simdjson::SUCCESS && more;
}

}  // namespace

absl::Status PullTaxiiFeed(const store::Feed& feed, std::string_view cursor,
                           absl::FunctionRef<absl::Status(std::string_view page)> import, TaxiiFeedPull& pull) {
  pull = TaxiiFeedPull{std::string(cursor), 0, 0};
  KZ_ASSIGN_OR_RETURN(Endpoint endpoint, FeedEndpoint(feed));
  const std::string where = endpoint.name;
  std::string objects = FeedTarget(feed.url);
  if (!objects.ends_with("/") || objects.find('?') != std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat(where, ": a taxii feed's URL is a collection's, ending in '/' (e.g. .../collections/ID/)"));
  }
  objects += "objects/";
  const auto start = std::chrono::steady_clock::now();
  while (pull.pages < kMaxTaxiiFeedPages) {
    const int64_t spent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (spent_ms >= feed.timeout_ms) {
      return absl::DeadlineExceededError(StrCat(where, ": the pull took longer than ", feed.timeout_ms, " ms"));
    }
    std::string target = StrCat(objects, "?limit=", kTaxiiFeedPageSize, "&match[version]=all&match[spec_version]=2.0,2.1");
    if (!pull.cursor.empty()) StrAppend(target, "&added_after=", pull.cursor);
    TaxiiClient client(endpoint, ClientOptions{.timeout_ms = feed.timeout_ms - spent_ms,
                                               .max_response_bytes = static_cast<uint64_t>(feed.max_bytes),
                                               .busy_attempts = 1});  // the feed runner backs off itself
    KZ_ASSIGN_OR_RETURN(ClientResponse r,
                        client.Get(target, {{"Accept", "application/taxii+json;version=2.1"}, {"User-Agent", "kizuna-feed"}}));
    if (r.status != 200) return Annotate(FeedHttpError(r), StrCat(where, ": "));
    const std::string last(r.Header("X-TAXII-Date-Added-Last"));
    if (last.empty() || last == pull.cursor) break;  // nothing after the cursor
    KZ_RETURN_IF_ERROR(CheckNextCursor(where, last, pull.cursor, store::kMaxFeedValidatorBytes));
    if (absl::Status s = import(r.body); !s.ok()) return Annotate(s, StrCat(where, ": "));
    ++pull.pages;
    pull.bytes += static_cast<int64_t>(r.body.size());
    pull.cursor = last;
    if (!SaysMore(r.body)) break;
  }
  return absl::OkStatus();
}

}  // namespace kizuna::sync
