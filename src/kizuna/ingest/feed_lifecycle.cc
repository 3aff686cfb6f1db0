// Kizuna.
#include "kizuna/ingest/feed_lifecycle.h"
#include "kizuna/ingest/revoke.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/stix/timestamp.h"
#include "simdjson.h"

namespace kizuna::ingest {
namespace {

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

// What the versioning needs of a held version.
struct Held {
  std::string json;
  detect::FeedVersion version;
  bool revoked = false;
};

std::optional<int64_t> TimeOf(simdjson::dom::object object, std::string_view key) {
  std::string_view text;
  if (object[key].get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  absl::StatusOr<int64_t> us = stix::ParseMicros(text);
  return us.ok() ? std::optional<int64_t>(*us) : std::nullopt;
}

// The latest version of `id` the node holds, or nullopt.
absl::StatusOr<std::optional<Held>> FindHeld(store::Store& store, const std::string& id) {
  absl::StatusOr<std::string> json = store.FindObject(id);
  if (absl::IsNotFound(json.status())) return std::optional<Held>();
  KZ_RETURN_IF_ERROR(json.status());
  Held held;
  held.json = std::move(*json);
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(held.json).get(object) != simdjson::SUCCESS) {
    return absl::DataLossError(StrCat(id, ": the stored version is not JSON"));
  }
  held.version.id = id;
  held.version.created_us = TimeOf(object, "created").value_or(0);
  held.version.modified_us = TimeOf(object, "modified").value_or(held.version.created_us);
  held.version.valid_from_us = TimeOf(object, "valid_from").value_or(held.version.created_us);
  held.version.valid_until_us = TimeOf(object, "valid_until");
  bool revoked = false;
  held.revoked = object["revoked"].get_bool().get(revoked) == simdjson::SUCCESS && revoked;
  return std::optional<Held>(std::move(held));
}

// The valid_until a new look at `held` gives: the settings' fixed one, the held one while
// more than half of a valid-for period is left, else a period from now (a renewal).
std::optional<int64_t> ValidUntil(const detect::FeedOptions& options, const Held& held,
                                  int64_t now_us) {
  const detect::FeedSettings& s = options.settings;
  if (!s.valid_for_days) return s.valid_until_us;
  const int64_t period = *s.valid_for_days * kMicrosPerDay;
  const std::optional<int64_t>& until = held.version.valid_until_us;
  if (until && *until - now_us > period / 2) return until;
  return now_us + period;
}

// The source name of a stored feed indicator (external_references[0].source_name), or "".
std::string_view SourceOf(simdjson::dom::object object) {
  simdjson::dom::array refs;
  std::string_view name;
  if (object["external_references"].get_array().get(refs) != simdjson::SUCCESS || refs.size() == 0)
    return {};
  if ((*refs.begin())["source_name"].get_string().get(name) != simdjson::SUCCESS) return {};
  return name;
}

}  // namespace

absl::StatusOr<std::string> NextVersion(store::Store& store, const detect::FeedEntry& entry,
                                        const detect::FeedOptions& options, std::string* id_out) {
  const int64_t now_us = options.now_us != 0 ? options.now_us : options.time_us;
  for (int generation = 0; generation < detect::kMaxFeedGenerations; ++generation) {
    std::string id =
        detect::FeedIndicatorId(options.created_by_ref, entry.family, entry.pattern, generation);
    KZ_ASSIGN_OR_RETURN(std::optional<Held> held, FindHeld(store, id));
    if (id_out != nullptr) *id_out = id;
    if (!held) {
      detect::FeedVersion first{std::move(id), options.time_us, options.time_us, options.time_us,
                                detect::FirstValidUntil(options, options.time_us)};
      return detect::FeedIndicatorJson(entry, options, first);
    }
    if (held->revoked) continue;  // revoked for good: the next generation
    detect::FeedVersion next = held->version;
    next.valid_until_us = ValidUntil(options, *held, now_us);
    std::string json = detect::FeedIndicatorJson(entry, options, next);
    if (json == held->json) return json;  // unchanged
    next.modified_us = std::max(now_us, held->version.modified_us + kMicrosPerMilli);
    return detect::FeedIndicatorJson(entry, options, next);
  }
  return absl::ResourceExhaustedError(StrCat("'", entry.value, "' was revoked ",
                                             detect::kMaxFeedGenerations,
                                             " times: no new id is left for it"));
}

absl::StatusOr<int64_t> RevokeUnlisted(Importer& importer, const FeedLedger& ledger,
                                       std::string_view creator, int64_t now_us) {
  store::PageRequest request;
  request.filter.types = {"indicator"};
  request.limit = store::kMaxPageLimit;
  std::string revoked;
  int64_t count = 0;
  simdjson::dom::parser parser;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(store::Page page,
                        importer.store().GetObjects(importer.collection_id(), request));
    for (const store::StoredObject& o : page.objects) {
      if (o.revoked || o.created_by_ref != creator || ledger.listed_ids.contains(o.id)) continue;
      simdjson::dom::object object;
      if (parser.parse(o.json).get(object) != simdjson::SUCCESS) continue;
      const std::string source(SourceOf(object));
      if (!ledger.sources.contains(source) || ledger.incomplete.contains(source)) continue;
      KZ_ASSIGN_OR_RETURN(std::string version, RevokedVersion(o.json, now_us));
      StrAppend(revoked, version, "\n");
      ++count;
    }
    if (!page.more) break;
    request.after = page.next;
  }
  if (!revoked.empty())
    KZ_RETURN_IF_ERROR(importer.ImportText("revocations", revoked, stix::Padding::kAbsent));
  return count;
}

}  // namespace kizuna::ingest
