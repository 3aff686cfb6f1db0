// Kizuna.
#include "kizuna/identity/nation.h"

#include <algorithm>
#include <iterator>

namespace kizuna::identity {
namespace {

struct Nation {
  std::string_view code;
  std::string_view name;
};

constexpr Nation kNations[] = {
#include "kizuna/identity/nation_table.inc"
};

const Nation* Find(std::string_view code) {
  auto it = std::lower_bound(std::begin(kNations), std::end(kNations), code,
                             [](const Nation& n, std::string_view c) { return n.code < c; });
  return it != std::end(kNations) && it->code == code ? it : nullptr;
}

}  // namespace

bool IsNationCode(std::string_view code) { return Find(code) != nullptr; }

std::string_view NationName(std::string_view code) {
  const Nation* n = Find(code);
  return n != nullptr ? n->name : std::string_view();
}

}  // namespace kizuna::identity
