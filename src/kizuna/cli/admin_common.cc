// Kizuna.
#include "kizuna/cli/admin_common.h"

#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"
#include "kizuna/identity/roles.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/open.h"

namespace kizuna::cli::admin {
namespace {

boost::json::string_view J(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

absl::StatusOr<std::unique_ptr<store::Database>> Open(const GlobalOptions& global) {
  return OpenNodeDatabase(global.data_dir);
}

CLI::Validator NationCode() {
  return CLI::Validator(
      [](std::string& code) -> std::string {
        if (identity::IsNationCode(code)) return "";
        return StrCat("'", code, "' is not an ISO 3166-1 alpha-3 nation code (e.g. JPN, USA, KOR)");
      },
      "NATION");
}

CLI::Validator RoleName() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        if (identity::ParseRole(name)) return "";
        return StrCat("'", name, "' is not a role: reader, publisher, org-admin, node-admin or peer");
      },
      "ROLE");
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  constexpr int64_t kSecond = 1'000'000;
  constexpr int64_t kMaxCount = 100'000;  // 100,000 days is beyond any token's life
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = kSecond;
      break;
    case 'm':
      unit = 60 * kSecond;
      break;
    case 'h':
      unit = 3600 * kSecond;
      break;
    case 'd':
      unit = 86400 * kSecond;
      break;
    case 'w':
      unit = 7 * 86400 * kSecond;
      break;
    default:
      return std::nullopt;
  }
  int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + (c - '0');
    if (count > kMaxCount) return std::nullopt;
  }
  if (count == 0) return std::nullopt;
  return count * unit;
}

CLI::Validator Duration() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (ParseDuration(text)) return "";
        return StrCat("'", text, "' is not a duration such as 90m, 12h, 30d or 8w");
      },
      "DURATION");
}

uint8_t RoleBits(const std::vector<std::string>& names) {
  uint8_t bits = 0;
  for (const std::string& name : names) {
    if (auto role = identity::ParseRole(name)) bits |= static_cast<uint8_t>(*role);
  }
  return bits;
}

std::string OrgName(const std::vector<store::Organization>& orgs, std::string_view id) {
  for (const store::Organization& o : orgs) {
    if (o.id == id) return o.name;
  }
  return std::string(id);
}

std::string Time(std::optional<int64_t> us) { return us ? stix::FormatTaxii(*us) : "-"; }

boost::json::object OrganizationJson(const store::Organization& org) {
  boost::json::error_code ec;
  boost::json::value identity = boost::json::parse(org.identity_json, ec);
  return {{"id", J(org.id)},
          {"name", J(org.name)},
          {"nation", J(org.nation)},
          {"partner", org.partner},
          {"created", stix::FormatTaxii(org.created_us)},
          {"identity", ec ? boost::json::value(nullptr) : identity}};
}

boost::json::object GrantJson(const store::Grant& grant) {
  bool org = grant.grantee.kind == store::GranteeKind::kOrganization;
  return {{"collection", J(grant.collection)},
          {org ? "organization" : "group", J(grant.grantee.name)},
          {"read", grant.permissions.read},
          {"write", grant.permissions.write}};
}

boost::json::object AuditJson(const store::AuditEvent& e) {
  boost::json::error_code ec;
  boost::json::value details = boost::json::parse(e.details, ec);
  return {{"seq", e.seq},
          {"time", stix::FormatTaxii(e.time_us)},
          {"actor", J(e.actor)},
          {"action", J(e.action)},
          {"target", J(e.target)},
          {"remote", J(e.remote)},
          {"details", ec ? boost::json::value(J(e.details)) : details}};
}

void PrintJson(const boost::json::value& v) { Print(boost::json::serialize(v) + "\n"); }

void Print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace kizuna::cli::admin
