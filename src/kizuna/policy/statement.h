// Kizuna. What a statement marking (STIX 2.1 §7.2.1.3) says about release.
#pragma once

// Statement markings are free text. Kizuna reads one releasability form from them and is
// careful with everything else, because a statement that restricts release but is read as
// informational would release what it protects (fail open). A statement is split at every
// "//" (classification banners: "SECRET//REL TO USA, JPN//FOUO") and each segment is:
//
//   REL TO <list>          releasability: the nations (ISO 3166-1 alpha-3, upper case) and
//   RELEASABLE TO <list>   community names (lower case) of the comma-separated list, written
//                          exactly so (ASCII, upper-case keywords, one segment per statement)
//   anything else          informational (a classification, "FOUO", a copyright notice),
//                          unless it reads like a dissemination control: the words REL,
//                          RELEASABLE, RELIDO, NOFORN, ORCON, NOCONTRACT, PROPIN, FVEY, EYES,
//                          or RELEASE(D) TO, in any case and in ASCII or full-width letters
//
// A segment that reads like a dissemination control but is not the exact form above
// ("REL TO: USA", "rel to usa, jpn", "SECRET//NOFORN", an empty or unreadable list, two REL TO
// segments, the full-width form) is not understood, and the decision denies what carries it
// (rule "marking-not-understood"). Data-driven cases: tests/policy/cases/statements.case.
// Thread-safety: stateless.

#include <string_view>

#include "kizuna/policy/marking.h"

namespace kizuna::policy {

enum class StatementKind : uint8_t {
  kInformational,   // restricts nothing
  kReleasability,   // a REL TO list, in `release`
  kNotUnderstood,   // reads like a dissemination control Kizuna cannot apply: deny
};

struct StatementMeaning {
  StatementKind kind = StatementKind::kInformational;
  identity::Releasability release;  // kReleasability only
};

// Reads `statement` as described above.
StatementMeaning ReadStatement(std::string_view statement);

}  // namespace kizuna::policy
