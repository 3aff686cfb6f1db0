// Kizuna.
#include "kizuna/ingest/revoke.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/stix/jcs.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/directory.h"
#include "simdjson.h"

namespace kizuna::ingest {
namespace {

constexpr int64_t kMillisecondUs = 1000;

// The `modified` of the revocation: now, or 1 ms after `current` when the clock is not past it.
std::string NextModified(const stix::Timestamp& current, int64_t now_us) {
  const int64_t current_ms = current.seconds * 1000 + current.nanos / 1'000'000;
  const int64_t ms = std::max(now_us / kMillisecondUs, current_ms + 1);
  stix::Timestamp t;
  t.seconds = ms / 1000;
  t.nanos = static_cast<int32_t>(ms % 1000) * 1'000'000;
  return stix::FormatTimestamp(t, 3);
}

}  // namespace

absl::StatusOr<std::string> RevokedVersion(std::string_view json, int64_t now_us) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS ||
      root.get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the object to revoke is not a JSON object");
  }
  std::string_view id, modified;
  if (object["id"].get(id) != simdjson::SUCCESS) id = "the object";
  if (object["modified"].get(modified) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat(id, ": only versioned objects (with `modified`: SDOs and SROs) can be revoked"));
  }
  KZ_ASSIGN_OR_RETURN(stix::Timestamp current, stix::ParseTimestamp(modified));
  bool revoked = false;
  if (object["revoked"].get(revoked) == simdjson::SUCCESS && revoked) {
    return absl::FailedPreconditionError(StrCat(id, " is revoked already"));
  }
  const std::string next = JsonString(NextModified(current, now_us));
  std::string out = "{";
  bool had_revoked = false;
  for (auto [key, value] : object) {
    if (out.size() > 1) out += ',';
    AppendJsonString(key, out);
    out += ':';
    if (key == "modified") {
      out += next;
    } else if (key == "revoked") {
      out += "true";
      had_revoked = true;
    } else {
      stix::AppendCanonicalJson(value, out);
    }
  }
  if (!had_revoked) out += ",\"revoked\":true";
  out += '}';
  return out;
}

absl::StatusOr<store::AddResult> AddRevocation(store::Store& store, std::string_view collection_id,
                                               std::string_view json, const RevokedBy& by) {
  ObjectChecker checker;
  KZ_ASSIGN_OR_RETURN(stix::ObjectIndex index, checker.Check(json, stix::Padding::kAbsent));
  const std::string version(checker.last_version());
  const store::NewObject object{json, &index};
  const auto record =
      [&](std::span<const store::AddResult> results) -> absl::StatusOr<store::AddRecords> {
    store::AddRecords records;  // no TAXII status: this write was no Add Objects request
    if (results.front().outcome == store::AddOutcome::kAdded) {
      records.audit.push_back(store::ObjectRevokedEvent(by.writer.name, by.remote, by.organization,
                                                        collection_id, index.id, version));
    }
    return records;
  };
  KZ_ASSIGN_OR_RETURN(std::vector<store::AddResult> results,
                      store.AddObjectsRecorded(collection_id, {&object, 1}, by.writer, record));
  return results.front();
}

}  // namespace kizuna::ingest
