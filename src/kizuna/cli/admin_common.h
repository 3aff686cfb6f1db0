// Kizuna. What the `kizuna admin` subcommand files share; not for other modules.
#pragma once

// Opening the node's database, CLI11 validators for nations, roles and durations, and the
// JSON and text forms of directory records. Thread-safety: single-threaded, as cli/.

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/database.h"
#include "kizuna/store/identity.h"

namespace kizuna::cli::admin {

// The actor of every change made from the command line, as the audit log records it.
inline constexpr std::string_view kActor = "cli";

// Opens the data directory's database (Store and Directory).
absl::StatusOr<std::unique_ptr<store::Database>> Open(const GlobalOptions& global);

// Validators: an ISO 3166-1 alpha-3 nation; a role name; a duration such as 30d.
CLI::Validator NationCode();
CLI::Validator RoleName();
CLI::Validator Duration();

// Returns the microseconds of a duration `<n><s|m|h|d|w>` ("30d", "12h"), or nullopt.
std::optional<int64_t> ParseDuration(std::string_view text);

// Returns the role bits of role names. REQUIRES: each passed RoleName().
uint8_t RoleBits(const std::vector<std::string>& names);

// Returns the name of organisation `id` among `orgs`, or `id` itself when it is not there.
std::string OrgName(const std::vector<store::Organization>& orgs, std::string_view id);

// TAXII timestamp of `us`, or "-" for none.
std::string Time(std::optional<int64_t> us);

boost::json::object OrganizationJson(const store::Organization& org);
using api::TokenJson;  // as the JSON API shows them (api/console_endpoints.h)
using api::UserJson;
boost::json::object GrantJson(const store::Grant& grant);
boost::json::object AuditJson(const store::AuditEvent& event);

// Prints `v` as one line of JSON, or `text` as is, on stdout.
void PrintJson(const boost::json::value& v);
void Print(std::string_view text);

}  // namespace kizuna::cli::admin
