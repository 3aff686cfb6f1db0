// Kizuna.
#include "kizuna/stix/parser.h"

#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/validate.h"

namespace kizuna::stix {

ObjectParser::ObjectParser() : parser_(limits::kMaxObjectBytes) {
  // Sets the depth limit; a failed allocation here is retried by the first parse.
  [[maybe_unused]] simdjson::error_code err = parser_.allocate(64 * 1024, limits::kMaxJsonDepth);
}

absl::StatusOr<ObjectIndex> ObjectParser::Parse(std::string_view json, Padding padding) {
  if (json.size() > limits::kMaxObjectBytes) {
    return absl::InvalidArgumentError(StrCat("the object is ", json.size(),
                                             " bytes, more than the limit of ", limits::kMaxObjectBytes));
  }
  simdjson::dom::element root;
  simdjson::error_code err =
      parser_.parse(json.data(), json.size(), padding == Padding::kAbsent).get(root);
  if (err == simdjson::DEPTH_ERROR) {
    return absl::InvalidArgumentError(
        StrCat("the object nests more than ", limits::kMaxJsonDepth, " levels deep"));
  }
  if (err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(StrCat("malformed JSON: ", simdjson::error_message(err)));
  }
  if (root.get_object().get(last_) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected a JSON object");
  }
  KZ_ASSIGN_OR_RETURN(ObjectIndex index, IndexObject(last_));
  KZ_RETURN_IF_ERROR(ValidateObject(last_, index));
  return index;
}

}  // namespace kizuna::stix
