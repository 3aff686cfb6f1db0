// Kizuna.
#include "kizuna/store/added_since.h"

#include "kizuna/base/status.h"

namespace kizuna::store {

absl::StatusOr<bool> AddedSince(Store& store, std::string_view collection_id, int64_t after_us,
                                std::vector<std::string> types) {
  PageRequest request;
  request.limit = 1;
  request.filter.added_after_us = after_us;
  request.filter.types = std::move(types);
  KZ_ASSIGN_OR_RETURN(Page page, store.GetObjects(collection_id, request));
  return !page.objects.empty();
}

}  // namespace kizuna::store
