// Kizuna. GET /api/v1/sightings?limit=N&before=TS: released sightings, newest first.
//
// -> {"sightings": [{"sighting": the released version, "collection": id, "date_added"}],
//     "more": bool, "next": TS (pass as before= for the next page) or ""}
// The sightings are the newest versions of sighting objects in the collections the caller
// may read, as the released read releases them; `before` (a TAXII timestamp) keeps those
// added before it; limit 1..kMaxSightingsPage (default 50). Each collection is read through
// its released read from the newest sightings back: the entries from the N-th newest sighting
// on (found in SQL, on the index of current versions), N = limit + 1, four times more while
// the read releases fewer than N and older sightings remain; so a page reads about as many
// entries as it shows, not the collection's every sighting. (The N-th newest is one indexed
// read of the store, Store::NthNewestCurrent, on either store: nothing is copied.) (A
// sighting whose newest version is withheld is shown by an older version only when that version is
// in the window read.)
#include <boost/json.hpp>
#include <charconv>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
absl::StatusOr<std::string> QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = part.find('=');
    if (part.substr(0, eq) != key) continue;
    return taxii::PercentDecode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
  }
  return std::string();
}

absl::StatusOr<size_t> LimitOf(std::string_view query, size_t default_limit, size_t max) {
  KZ_ASSIGN_OR_RETURN(std::string text, QueryValue(query, "limit"));
  if (text.empty()) return default_limit;
  size_t limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > max) {
    return absl::InvalidArgumentError(StrCat("limit '", text, "' is not a number from 1 to ", max));
  }
  return limit;
}

http::Response ConsoleEndpoints::Sightings(const ApiCall& call) {
  call.info.endpoint = "api-sightings";
  std::string_view query = call.request.Query();
  absl::StatusOr<size_t> limit = LimitOf(query, 50, kMaxSightingsPage);
  if (!limit.ok()) return ErrorAnswer(400, View(limit.status().message()));
  absl::StatusOr<std::string> before_text = QueryValue(query, "before");
  if (!before_text.ok()) return ErrorAnswer(400, View(before_text.status().message()));
  int64_t before_us = INT64_MAX;
  if (!before_text->empty()) {
    absl::StatusOr<int64_t> t = stix::ParseMicros(*before_text);
    if (!t.ok()) return ErrorAnswer(400, StrCat("before: ", View(t.status().message())));
    before_us = *t;
  }
  absl::StatusOr<std::vector<store::Collection>> readable = Readable(call.principal);
  if (!readable.ok()) return ErrorAnswer(500, "the collections could not be read");
  // Newest first over every collection: keep the `limit + 1` newest before `before_us`.
  std::vector<std::pair<std::string, store::StoredObject>> found;
  for (const store::Collection& c : *readable) {
    for (size_t window = *limit + 1;; window *= 4) {
      absl::StatusOr<int64_t> from =
          db_.NthNewestCurrent(c.id, "sighting", before_us, static_cast<int64_t>(window));
      if (!from.ok()) return ErrorAnswer(500, "the collection could not be read");
      store::ObjectFilter filter;
      filter.types = {"sighting"};
      if (*from > 0) filter.added_after_us = *from - 1;
      std::vector<std::pair<std::string, store::StoredObject>> read;
      absl::StatusOr<bool> stopped =
          ScanReleased(call.principal, c, filter, true, [&](const store::StoredObject& o) {
            if (o.date_added_us < before_us) read.emplace_back(c.id, o);
          });
      if (!stopped.ok()) return ErrorAnswer(500, "the collection could not be read");
      if (read.size() <= *limit && *from > 0) continue;  // older sightings may be released
      for (auto& r : read) found.push_back(std::move(r));
      break;
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return a.second.date_added_us > b.second.date_added_us;
    });
    if (found.size() > *limit + 1) found.resize(*limit + 1);
  }
  const bool more = found.size() > *limit;
  if (more) found.resize(*limit);
  boost::json::array out;
  boost::json::error_code ec;
  for (const auto& [collection, o] : found) {
    boost::json::value s = boost::json::parse(o.json, ec);
    if (ec) continue;
    out.push_back({{"sighting", std::move(s)}, {"collection", collection}, {"date_added", stix::FormatTaxii(o.date_added_us)}});
  }
  std::string next = more && !found.empty() ? stix::FormatTaxii(found.back().second.date_added_us) : "";
  return JsonAnswer(boost::json::serialize(boost::json::object{{"sightings", std::move(out)}, {"more", more}, {"next", next}}));
}

}  // namespace kizuna::api
