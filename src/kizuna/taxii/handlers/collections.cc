// Kizuna. Get Collections (§5.1) and Get a Collection (§5.2): only what the caller may see.
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/exercise.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {
namespace {

void AppendCollection(const store::Collection& c, const CollectionAccess& access, std::string& out) {
  out += "{\"id\":";
  AppendJsonString(c.id, out);
  out += ",\"title\":";
  AppendJsonString(c.title, out);
  if (!c.description.empty()) {
    out += ",\"description\":";
    AppendJsonString(c.description, out);
  }
  if (!c.alias.empty()) {
    out += ",\"alias\":";
    AppendJsonString(c.alias, out);
  }
  StrAppend(out, ",\"can_read\":", access.can_read ? "true" : "false", ",\"can_write\":",
            access.can_write ? "true" : "false", ",\"media_types\":[\"", kStix21MediaType, "\",\"",
            kStix20MediaType, "\"]}");
}

}  // namespace

http::Response Collections(Context& ctx, const Call& call) {
  absl::StatusOr<std::vector<store::Collection>> all = ctx.store.ListCollections(call.root.name);
  if (!all.ok()) return ErrorResponse(all.status());
  std::string list;
  for (const store::Collection& c : *all) {
    absl::StatusOr<CollectionAccess> access = ctx.access.Access(call.principal, c.id);
    if (!access.ok()) return ErrorResponse(access.status());
    if (!access->can_read && !access->can_write) continue;  // invisible
    if (!policy::PeerMayReachExercise(c, call.principal)) continue;  // rule 6: as if absent
    if (!list.empty()) list += ',';
    AppendCollection(c, *access, list);
  }
  return JsonResponse(200, list.empty() ? "{}" : StrCat("{\"collections\":[", list, "]}"));
}

http::Response CollectionInfo(Context&, const Call& call) {
  std::string body;
  AppendCollection(call.collection, call.access, body);
  return JsonResponse(200, std::move(body));
}

}  // namespace kizuna::taxii::taxii_internal
