// Kizuna. Search answers as JSON, the same for `kizuna search|observable|related --json` and
// the JSON API (docs/api.openapi.yaml describes the members).
#pragma once

// Thread-safety: stateless.

#include <string>

#include "kizuna/search/searcher.h"

namespace kizuna::search {

// {"index_complete", "more", "results": [{"id", "type", "name", "collection", "version",
//  "date_added", "common_only", "reasons": [{"relation", "path", "value", "via",
//  "relationship_type", "common"}]}]}; an ObservableAnswer adds "value", "common" and
// "listed_in".
std::string AnswerJson(const Answer& answer);
std::string AnswerJson(const ObservableAnswer& answer);

}  // namespace kizuna::search
