// Kizuna.
#include "kizuna/stix/exercise_marking.h"

#include <algorithm>

namespace kizuna::stix {

bool IsExerciseObject(const ObjectIndex& index) {
  auto is_exercise = [](const std::string& id) { return id == kExerciseMarkingId; };
  return index.id == kExerciseMarkingId || std::any_of(index.object_marking_refs.begin(), index.object_marking_refs.end(), is_exercise) ||
         std::any_of(index.granular_marking_refs.begin(), index.granular_marking_refs.end(), is_exercise);
}

bool HasExerciseMarking(std::string_view markings) {
  return markings.find(kExerciseMarkingId) != std::string_view::npos;
}

}  // namespace kizuna::stix
