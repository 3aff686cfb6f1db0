// Kizuna.
#include "kizuna/exercise/inject.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/marking.h"
#include "kizuna/stix/exercise_marking.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"

namespace kizuna::exercise {

absl::StatusOr<std::string> InjectEnvelope(std::string_view document, std::string_view origin) {
  if (document.size() > kMaxInjectBytes) {
    return absl::InvalidArgumentError(StrCat(origin, ": larger than ", kMaxInjectBytes, " bytes"));
  }
  std::string out = StrCat("{\"objects\":[", ExerciseMarkingJson());
  stix::DocumentReader reader(document);
  stix::ObjectParser parser;
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) return Annotate(more.status(), StrCat(origin, ": "));
    if (!*more) break;
    if (!span.error.empty()) return absl::InvalidArgumentError(StrCat(origin, ": ", span.error));
    absl::StatusOr<stix::ObjectIndex> index = parser.Parse(span.json, stix::Padding::kAbsent);
    if (!index.ok()) return Annotate(index.status(), StrCat(origin, ": "));
    if (index->id == kExerciseMarkingId) continue;  // already first
    if (index->type != "marking-definition" && !stix::IsExerciseObject(*index)) {
      return absl::InvalidArgumentError(
          StrCat(origin, ": ", index->id, " does not carry the exercise marking ", kExerciseMarkingId,
                 ": every object of an inject is exercise data (docs/exercise.md)"));
    }
    StrAppend(out, ",", span.json);
  }
  out += "]}";
  return out;
}

}  // namespace kizuna::exercise
