// Kizuna.
#include "kizuna/exercise/attack_catalog.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/store.h"
#include "simdjson.h"

namespace kizuna::exercise {
namespace {

// ATT&CK's external reference sources (Enterprise, ICS and Mobile use these names).
bool IsAttackSource(std::string_view source) {
  return source == "mitre-attack" || source == "mitre-ics-attack" ||
         source == "mitre-mobile-attack";
}

bool IsCatalogType(std::string_view type) {
  return type == "attack-pattern" || type == "intrusion-set";
}

void AddElement(simdjson::dom::element object,
                absl::flat_hash_map<std::string, AttackEntry>& entries) {
  std::string_view type;
  if (object["type"].get(type) != simdjson::SUCCESS || !IsCatalogType(type)) return;
  simdjson::dom::array refs;
  if (object["external_references"].get(refs) != simdjson::SUCCESS) return;
  for (simdjson::dom::element ref : refs) {
    std::string_view source, external_id;
    if (ref["source_name"].get(source) != simdjson::SUCCESS || !IsAttackSource(source)) continue;
    if (ref["external_id"].get(external_id) != simdjson::SUCCESS) continue;
    AttackEntry entry;
    entry.type = std::string(type);
    std::string_view text;
    if (object["id"].get(text) == simdjson::SUCCESS) entry.stix_id = std::string(text);
    if (object["name"].get(text) == simdjson::SUCCESS) entry.name = std::string(text);
    bool flag = false;
    entry.revoked = object["revoked"].get(flag) == simdjson::SUCCESS && flag;
    flag = false;
    entry.deprecated = object["x_mitre_deprecated"].get(flag) == simdjson::SUCCESS && flag;
    auto [it, inserted] = entries.try_emplace(std::string(external_id), entry);
    // An id held both active and revoked (a new version, or a revoked twin) counts as active.
    if (!inserted && (it->second.revoked || it->second.deprecated) && !entry.revoked &&
        !entry.deprecated) {
      it->second = entry;
    }
    return;
  }
}

}  // namespace

absl::StatusOr<AttackCatalog> AttackCatalog::FromBundle(std::string_view text,
                                                        std::string_view origin) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size(), true).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(StrCat(origin, ": not JSON"));
  }
  simdjson::dom::array objects;
  if (doc.get_array().get(objects) != simdjson::SUCCESS &&
      doc["objects"].get(objects) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": expected a STIX bundle with an \"objects\" list"));
  }
  AttackCatalog catalog;
  for (simdjson::dom::element object : objects) AddElement(object, catalog.entries_);
  return catalog;
}

absl::Status AttackCatalog::AddObject(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  AddElement(doc, entries_);
  return absl::OkStatus();
}

absl::StatusOr<AttackCatalog> AttackCatalog::FromStore(store::Store& store,
                                                       policy::Policy& policy) {
  AttackCatalog catalog;
  policy::ReleasedReader reader(store, policy);
  identity::Principal op = identity::OperatorPrincipal();
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> collections, store.ListCollections(""));
  for (const store::Collection& collection : collections) {
    store::PageRequest request;
    request.limit = store::kMaxPageLimit;
    request.filter.types = {"attack-pattern", "intrusion-set"};
    for (;;) {
      KZ_ASSIGN_OR_RETURN(store::Page page, reader.Read(op, collection, {}, request));
      for (const store::StoredObject& o : page.objects) {
        KZ_RETURN_IF_ERROR(Annotate(catalog.AddObject(o.json), StrCat(o.id, ": ")));
      }
      if (!page.more) break;
      request.after = page.next;
    }
  }
  return catalog;
}

const AttackEntry* AttackCatalog::Find(std::string_view external_id) const {
  auto it = entries_.find(AbslView(external_id));
  return it == entries_.end() ? nullptr : &it->second;
}

absl::Status CheckAttackIds(const Scenario& scenario, const AttackCatalog& catalog) {
  std::string problems;
  auto check = [&](std::string_view id, std::string_view want_type, int line,
                   std::string_view what) {
    const AttackEntry* e = catalog.Find(id);
    std::string_view why;
    if (e == nullptr || e->type != want_type) {
      why = "is not in the ATT&CK data";
    } else if (e->revoked) {
      why = "is revoked in the ATT&CK data";
    } else if (e->deprecated) {
      why = "is deprecated in the ATT&CK data";
    } else {
      return;
    }
    StrAppend(problems, problems.empty() ? "" : "; ", scenario.file, ":", line, ": ", what, " '",
              id, "' ", why);
  };
  for (const Procedure& p : scenario.procedures) {
    for (const Step& s : p.steps)
      check(s.technique, "attack-pattern", s.technique_line, "technique");
  }
  for (const Actor& a : scenario.actors) {
    if (!a.attack_group.empty())
      check(a.attack_group, "intrusion-set", a.attack_group_line, "group");
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(problems);
}

}  // namespace kizuna::exercise
