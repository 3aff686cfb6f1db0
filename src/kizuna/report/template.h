// Kizuna. The page templates of the brief and the after-action report: placeholders filled
// from values and a message catalogue, and JSON safe inside a <script> element.
#pragma once

// A template is HTML with placeholders: `{{name}}` takes values[name] as it is (the caller
// escapes it), `{{msg:key}}` the catalogue's message `key`, HTML-escaped.
//
//   KZ_ASSIGN_OR_RETURN(std::string page, FillTemplate(BriefTemplate(), values, catalogue));
//
// Thread-safety: stateless.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "absl/status/statusor.h"

namespace kizuna::report {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

// Returns the page. Errors: InvalidArgument naming a placeholder without a value or a message
// the catalogue lacks; Internal for an unclosed "{{".
absl::StatusOr<std::string> FillTemplate(std::string_view page, const TemplateValues& values,
                                         const boost::json::object& catalogue);

// The message `key` of `catalogue`, HTML-escaped; InvalidArgument naming a missing key.
absl::StatusOr<std::string> Message(const boost::json::object& catalogue, std::string_view key);

// JSON text safe inside a <script> element: "<" only occurs inside strings, as \u003c.
std::string ScriptJson(const boost::json::value& v);

}  // namespace kizuna::report
