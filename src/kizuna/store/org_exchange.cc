// Kizuna.
#include "kizuna/store/org_exchange.h"

#include <boost/json.hpp>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store {
namespace {

// Returns the string property `key` of `o`, "" when absent; InvalidArgument when not a string.
absl::StatusOr<std::string_view> StringProperty(const boost::json::object& o,
                                                std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return std::string_view();
  if (!v->is_string())
    return absl::InvalidArgumentError(StrCat("identity: '", key, "' is not a string"));
  return std::string_view(v->as_string());
}

}  // namespace

absl::StatusOr<OrgImported> ImportOrganization(Directory& directory, std::string_view actor,
                                               const OrgImport& request) {
  if (request.identity_json.size() > kMaxIdentityJsonBytes) {
    return absl::InvalidArgumentError(
        StrCat("identity: longer than ", kMaxIdentityJsonBytes, " bytes"));
  }
  boost::json::error_code ec;
  boost::json::value doc = boost::json::parse(request.identity_json, ec);
  if (ec || !doc.is_object()) return absl::InvalidArgumentError("identity: not a JSON object");
  const boost::json::object& o = doc.as_object();
  KZ_ASSIGN_OR_RETURN(std::string_view type, StringProperty(o, "type"));
  KZ_ASSIGN_OR_RETURN(std::string_view id, StringProperty(o, "id"));
  KZ_ASSIGN_OR_RETURN(std::string_view name, StringProperty(o, "name"));
  KZ_ASSIGN_OR_RETURN(std::string_view identity_class, StringProperty(o, "identity_class"));
  KZ_ASSIGN_OR_RETURN(std::string_view claimed, StringProperty(o, "x_kizuna_nation"));
  if (type != "identity")
    return absl::InvalidArgumentError(StrCat("identity: 'type' is '", type, "', not identity"));
  if (!identity_class.empty() && identity_class != "organization") {
    return absl::InvalidArgumentError(
        StrCat("identity ", id, ": 'identity_class' is '", identity_class, "', not organization"));
  }
  if (name.empty() && request.name.empty())
    return absl::InvalidArgumentError(StrCat("identity ", id, ": no 'name'"));
  if (!claimed.empty() && claimed != request.nation) {
    return absl::InvalidArgumentError(StrCat("identity ", id, ": 'x_kizuna_nation' says ", claimed,
                                             ", not the nation recorded here (", request.nation,
                                             ")"));
  }
  absl::StatusOr<Organization> held = directory.FindOrganization(id);
  if (held.ok()) {
    if (held->nation == request.nation) return OrgImported{std::move(*held), false};
    AuditEvent refused;
    refused.actor = actor;
    refused.action = "org.import.refused";
    refused.target = id;
    refused.details =
        StrCat(R"({"nation":)", JsonString(request.nation), R"(,"held_nation":)",
               JsonString(held->nation), R"(,"held_name":)", JsonString(held->name), "}");
    KZ_RETURN_IF_ERROR(directory.AppendAudit(refused));
    return absl::FailedPreconditionError(
        StrCat("organisation ", id, " is already '", held->name, "' of ", held->nation,
               " here; an import cannot make it ", request.nation));
  }
  if (held.status().code() != absl::StatusCode::kNotFound) return held.status();
  NewOrganization add{std::string(request.name.empty() ? name : request.name),
                      std::string(request.nation), std::string(id), /*partner=*/true};
  KZ_ASSIGN_OR_RETURN(Organization org, directory.CreateOrganization(actor, std::move(add)));
  AuditEvent imported;
  imported.actor = actor;
  imported.action = "org.import";
  imported.target = org.id;
  imported.details =
      StrCat(R"({"name":)", JsonString(org.name), R"(,"nation":)", JsonString(org.nation), "}");
  KZ_RETURN_IF_ERROR(directory.AppendAudit(imported));
  return OrgImported{std::move(org), true};
}

}  // namespace kizuna::store
