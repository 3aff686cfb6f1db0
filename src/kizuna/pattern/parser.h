// Kizuna. The STIX pattern parser: recursive descent over the grammar in README.md.
#pragma once

// Parse() checks syntax only, plus the limits it must enforce to stay bounded (length,
// nesting depth, IN-list size). Whether the parsed pattern means anything (duplicate
// qualifiers, odd-length hex, impossible timestamps, mixed IN sets...) is validator.h's job;
// Compile() (pattern.h) runs both.
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<Ast> ast, Parse(text, ParseOptions{}));
//
// Thread-safety: stateless; any number of parses may run at once.

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/pattern/ast.h"
#include "kizuna/pattern/limits.h"
#include "kizuna/pattern/version.h"

namespace kizuna::pattern {

struct ParseOptions {
  // Grammar to accept. Default 2.1; 2.0 accepts START/STOP plain strings and refuses
  // EXISTS. Both take NOT before every comparison operator and '-' in property names only
  // quoted.
  StixVersion version = StixVersion::k21;
  PatternLimits limits;
};

// Returns the syntax tree of `text` (which the Ast copies). On failure returns a
// PatternError (errors.h): reason "syntax" with what was expected and what was found, or
// "too-long", "too-deep", "too-many-values", "int-out-of-range", "float-out-of-range".
absl::StatusOr<std::unique_ptr<Ast>> Parse(std::string_view text, const ParseOptions& options);

}  // namespace kizuna::pattern
