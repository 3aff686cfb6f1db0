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

// What `json`, the latest version of `id` the node holds, gives the versioning.
absl::StatusOr<Held> ParseHeld(simdjson::dom::parser& parser, const std::string& id, std::string json) {
  Held held;
  held.json = std::move(json);
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
  return held;
}

// The latest version of `id` the node holds, or nullopt.
absl::StatusOr<std::optional<Held>> FindHeld(store::Store& store, simdjson::dom::parser& parser,
                                             const std::string& id) {
  absl::StatusOr<std::string> json = store.FindObject(id);
  if (absl::IsNotFound(json.status())) return std::optional<Held>();
  KZ_RETURN_IF_ERROR(json.status());
  KZ_ASSIGN_OR_RETURN(Held held, ParseHeld(parser, id, std::move(*json)));
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

// Values looked up in the store at once: bounds the versions held in memory.
constexpr size_t kLookupBatch = 4096;

// The version `entry` gets, `held` being what the node holds of its generation-0 id, `id0`.
absl::StatusOr<NextVersion> VersionOf(store::Store& store, simdjson::dom::parser& parser,
                                      const detect::FeedEntry& entry, const detect::FeedOptions& options,
                                      std::string id0, std::optional<Held> held) {
  const int64_t now_us = options.now_us != 0 ? options.now_us : options.time_us;
  std::string id = std::move(id0);
  for (int generation = 0; generation < detect::kMaxFeedGenerations; ++generation) {
    if (generation > 0) {
      id = detect::FeedIndicatorId(options.created_by_ref, entry.family, entry.pattern, generation);
      KZ_ASSIGN_OR_RETURN(held, FindHeld(store, parser, id));
    }
    if (!held) {
      detect::FeedVersion first{id, options.time_us, options.time_us, options.time_us,
                                detect::FirstValidUntil(options, options.time_us)};
      return NextVersion{std::move(id), detect::FeedIndicatorJson(entry, options, first)};
    }
    if (held->revoked) continue;  // revoked for good: the next generation
    detect::FeedVersion next = held->version;
    next.valid_until_us = ValidUntil(options, *held, now_us);
    std::string json = detect::FeedIndicatorJson(entry, options, next);
    if (json != held->json) {
      next.modified_us = std::max(now_us, held->version.modified_us + kMicrosPerMilli);
      json = detect::FeedIndicatorJson(entry, options, next);
    }
    return NextVersion{std::move(id), std::move(json)};
  }
  return NextVersion{std::move(id), absl::ResourceExhaustedError(StrCat(
                                        "'", entry.value, "' was revoked ", detect::kMaxFeedGenerations,
                                        " times: no new id is left for it"))};
}

}  // namespace

absl::Status NextVersions(store::Store& store, std::span<const detect::FeedEntry> entries,
                          const detect::FeedOptions& options,
                          absl::FunctionRef<void(size_t, NextVersion&&)> each) {
  simdjson::dom::parser parser;
  std::vector<std::string> ids;
  for (size_t start = 0; start < entries.size(); start += kLookupBatch) {
    std::span<const detect::FeedEntry> batch = entries.subspan(start, std::min(kLookupBatch, entries.size() - start));
    ids.clear();
    for (const detect::FeedEntry& e : batch) {
      ids.push_back(detect::FeedIndicatorId(options.created_by_ref, e.family, e.pattern, 0));
    }
    KZ_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> found, store.FindObjects(ids));
    for (size_t i = 0; i < batch.size(); ++i) {
      std::optional<Held> held;
      if (found[i]) {
        KZ_ASSIGN_OR_RETURN(Held h, ParseHeld(parser, ids[i], std::move(*found[i])));
        held = std::move(h);
      }
      KZ_ASSIGN_OR_RETURN(NextVersion v, VersionOf(store, parser, batch[i], options, std::move(ids[i]),
                                                   std::move(held)));
      each(start + i, std::move(v));
    }
  }
  return absl::OkStatus();
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
