// Kizuna.
#include "kizuna/exercise/marking.h"

#include "kizuna/base/strings.h"

namespace kizuna::exercise {

std::string ExerciseMarkingJson() {
  return StrCat("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"",
                kExerciseMarkingId,
                "\",\"created\":\"2026-01-01T00:00:00.000Z\",\"name\":\"Kizuna "
                "exercise\",\"definition_type\":\"statement\","
                "\"definition\":{\"statement\":\"KIZUNA EXERCISE: exercise data, not real "
                "intelligence. Do not act on it or "
                "share it outside the exercise.\"}}");
}

}  // namespace kizuna::exercise
