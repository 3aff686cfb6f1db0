// Kizuna.
#include "kizuna/exercise/scenario.h"

namespace kizuna::exercise {

const Team* Scenario::FindTeam(std::string_view id) const {
  for (const Team& t : teams) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const Step* Scenario::FindStep(std::string_view id) const {
  for (const Procedure& p : procedures) {
    for (const Step& s : p.steps) {
      if (s.id == id) return &s;
    }
  }
  return nullptr;
}

std::vector<const Step*> Scenario::Steps() const {
  std::vector<const Step*> out;
  for (const Procedure& p : procedures) {
    for (const Step& s : p.steps) out.push_back(&s);
  }
  return out;
}

std::string Scenario::Address(std::string_view host_or_address) const {
  for (const Team& t : teams) {
    for (const Host& h : t.hosts) {
      if (h.name == host_or_address) return h.address;
    }
  }
  return std::string(host_or_address);
}

std::string_view TeamRoleName(TeamRole role) {
  switch (role) {
    case TeamRole::kBlue:
      return "blue";
    case TeamRole::kRed:
      return "red";
    case TeamRole::kWhite:
      return "white";
  }
  return "blue";
}

}  // namespace kizuna::exercise
