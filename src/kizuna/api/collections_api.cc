// Kizuna. GET /api/v1/collections: the collections the caller may read or write.
//
// -> [{"id", "title", "description", "alias", "api_root", "can_read", "can_write", "objects",
//     "objects_capped"}]: a collection the caller may neither read nor write is not listed;
// "objects" counts the objects (latest versions) released to the caller (the released
// read), 0 for a write-only collection; "objects_capped" is true when the count stopped at
// ConsoleEndpoints::kMaxScanned entries. The counts are kept while the store is unchanged
// (ConsoleEndpoints::Kept).
#include <boost/json.hpp>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::api {

http::Response ConsoleEndpoints::Collections(const ApiCall& call) {
  call.info.endpoint = "api-collections";
  absl::StatusOr<std::vector<store::Collection>> all = db_.ListCollections("");
  if (!all.ok()) return ErrorAnswer(500, "the collections could not be read");
  boost::json::array out;
  for (const store::Collection& c : *all) {
    absl::StatusOr<taxii::CollectionAccess> can = access_.Access(call.principal, c.id);
    if (!can.ok()) return ErrorAnswer(500, "the grants could not be read");
    if (!can->can_read && !can->can_write) continue;
    int64_t objects = 0;
    bool capped = false;
    if (can->can_read) {
      // Kept per release key and collection while the store is unchanged (Kept).
      absl::StatusOr<std::shared_ptr<const boost::json::value>> counted =
          Kept(call.principal.user,
               StrCat("collection", '\0', policy::ReleaseKey(call.principal), '\0',
                      CollectionKey(c)),
               [&]() -> absl::StatusOr<boost::json::value> {
                 int64_t n = 0;
                 KZ_ASSIGN_OR_RETURN(bool stopped, ScanReleased(call.principal, c, {}, false,
                                                                [&](const store::StoredObject&) { ++n; }));
                 return boost::json::array{n, stopped};
               });
      if (!counted.ok()) return ErrorAnswer(500, "the collection could not be read");
      objects = (*counted)->as_array().at(0).as_int64();
      capped = (*counted)->as_array().at(1).as_bool();
    }
    out.push_back({{"id", c.id},
                   {"title", c.title},
                   {"description", c.description},
                   {"alias", c.alias},
                   {"api_root", c.api_root},
                   {"can_read", can->can_read},
                   {"can_write", can->can_write},
                   {"objects", objects},
                   {"objects_capped", capped}});
  }
  return JsonAnswer(boost::json::serialize(out));
}

}  // namespace kizuna::api
