// Kizuna. What the brief names: reporting organisations, ATT&CK techniques and groups, the
// most sighted indicators, and the appendix of the identifiers quoted. Every object named is
// read through policy::ReleasedReader for the audience: one it may not read is left out, by
// name and by id.
#include <algorithm>
#include <map>
#include <optional>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/report/internal/query.h"
#include "kizuna/report/internal/sections.h"

namespace kizuna::report_internal {
namespace {

// How many more candidates than shown are read, so rows the audience may not name can be
// skipped and the table still filled.
constexpr int64_t kCandidatesPerRow = 4;

std::string_view Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// The first entry of `list` (an array of objects) whose `match_key` is `match`: its `key`.
std::string_view FirstWhere(const boost::json::object& o, std::string_view list, std::string_view match_key,
                            std::string_view match, std::string_view key) {
  const boost::json::value* v = o.if_contains(list);
  if (v == nullptr || !v->is_array()) return {};
  for (const boost::json::value& item : v->get_array()) {
    if (item.is_object() && Str(item.get_object(), match_key) == match) return Str(item.get_object(), key);
  }
  return {};
}

// Objects the audience may read, by id, as it reads them (redacted where granular markings
// say so), with their TLP rank.
class Quoter {
 public:
  explicit Quoter(Context& c) : c_(c), reader_(c.db, c.policy) {}

  // Returns the object, or nullopt when no collection of the audience releases it to it.
  absl::StatusOr<std::optional<boost::json::object>> Find(const std::string& id) {
    for (const store::Collection& collection : c_.input.audience.collections) {
      store::PageRequest request;
      request.limit = 1;
      KZ_ASSIGN_OR_RETURN(store::Page page, reader_.Read(c_.input.audience.principal, collection,
                                                         {policy::ReadTarget::Kind::kObject, id}, request));
      if (page.objects.empty()) continue;
      const store::StoredObject& o = page.objects.back();
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(o.json, ec);
      if (ec || !v.is_object()) continue;
      KZ_ASSIGN_OR_RETURN(report::MarkingLabel label, c_.rows.labels().Of(o.markings, o.granular_refs));
      c_.banner = std::max(c_.banner, label.tlp);
      boost::json::object& obj = v.get_object();
      appendix_[id] = std::string(Str(obj, "name"));
      return std::move(obj);
    }
    return std::nullopt;
  }

  boost::json::array Appendix() const {
    boost::json::array out;
    for (const auto& [id, name] : appendix_) out.push_back({{"id", id}, {"name", name}});
    return out;
  }

 private:
  Context& c_;
  policy::ReleasedReader reader_;
  std::map<std::string, std::string> appendix_;
};

// The (id, figure) rows of `sql`, whose ?1 is how many candidates to read.
absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Candidates(Context& c, const std::string& sql) {
  std::vector<std::pair<std::string, int64_t>> out;
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql, sql, {static_cast<int64_t>(c.input.top) * kCandidatesPerRow},
                                [&](const store::Statement& r) {
                                  out.emplace_back(r.Text(0), r.Int(1));
                                  return absl::OkStatus();
                                }));
  return out;
}

// The `top` most referenced ids of `prefix` ("attack-pattern--") among the period's released
// relationships (either end), named; fills `rows`.
absl::Status MostReferenced(Context& c, Quoter& q, std::string_view prefix, bool with_tactic,
                            boost::json::array& rows) {
  KZ_ASSIGN_OR_RETURN(
      auto candidates,
      Candidates(c, StrCat("SELECT ref, count(*) AS n FROM (SELECT ref_a AS ref FROM brief_refs WHERE type = "
                           "'relationship' UNION ALL SELECT ref_b FROM brief_refs WHERE type = 'relationship') x "
                           "WHERE ref LIKE '",
                           prefix, "%' GROUP BY ref ORDER BY n DESC, ref LIMIT ?1")));
  for (const auto& [id, n] : candidates) {
    if (rows.size() >= c.input.top) break;
    KZ_ASSIGN_OR_RETURN(std::optional<boost::json::object> o, q.Find(id));
    if (!o) continue;
    boost::json::object row{{"id", id},
                            {"external_id", FirstWhere(*o, "external_references", "source_name", "mitre-attack",
                                                       "external_id")},
                            {"name", Str(*o, "name")},
                            {"references", n}};
    if (with_tactic) row["tactic"] = FirstWhere(*o, "kill_chain_phases", "kill_chain_name", "mitre-attack", "phase_name");
    rows.push_back(std::move(row));
  }
  return absl::OkStatus();
}

absl::Status TopIndicators(Context& c, Quoter& q, boost::json::array& rows) {
  KZ_ASSIGN_OR_RETURN(auto candidates,
                      Candidates(c, "SELECT ref_a, sum(n) AS s FROM brief_refs WHERE type = 'sighting' AND "
                                    "ref_a LIKE 'indicator--%' GROUP BY ref_a ORDER BY s DESC, ref_a LIMIT ?1"));
  for (const auto& [id, n] : candidates) {
    if (rows.size() >= c.input.top) break;
    KZ_ASSIGN_OR_RETURN(std::optional<boost::json::object> o, q.Find(id));
    if (!o) continue;
    rows.push_back({{"id", id}, {"name", Str(*o, "name")}, {"pattern", Str(*o, "pattern")}, {"sightings", n}});
  }
  return absl::OkStatus();
}

// Sightings by the organisation that reported them (created_by_ref, else the adder), named
// as the node's directory names it; organisations it does not know are counted together.
absl::Status SightingsByOrg(Context& c, boost::json::array& rows) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, c.db.ListOrganizations());
  std::map<std::string, int64_t> by_name;
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql,
                                "SELECT CASE WHEN created_by_ref = '' THEN added_by ELSE created_by_ref END AS org, "
                                "sum(n) FROM brief_refs WHERE type = 'sighting' GROUP BY org",
                                {}, [&](const store::Statement& r) {
                                  auto o = std::find_if(orgs.begin(), orgs.end(),
                                                        [&](const auto& x) { return x.id == r.Text(0); });
                                  by_name[o == orgs.end() ? "" : o->name] += r.Int(1);
                                  return absl::OkStatus();
                                }));
  std::vector<std::pair<std::string, int64_t>> sorted(by_name.begin(), by_name.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, n] : sorted) rows.push_back({{"organization", name}, {"sightings", n}});
  return absl::OkStatus();
}

}  // namespace

absl::Status AddQuotedFigures(Context& c, boost::json::object& out) {
  // The period's released sightings and relationships, read once from the rows for the
  // tables below.
  KZ_RETURN_IF_ERROR(c.sql.Exec(
      "DROP TABLE IF EXISTS temp.brief_refs; "
      "CREATE TEMP TABLE brief_refs AS SELECT type, ref_a, ref_b, n, created_by_ref, added_by FROM brief_objects "
      "WHERE period = 0 AND type IN ('sighting', 'relationship')"));
  Quoter q(c);
  KZ_RETURN_IF_ERROR(SightingsByOrg(c, out["sightings_by_org"].emplace_array()));
  KZ_RETURN_IF_ERROR(MostReferenced(c, q, "attack-pattern--", true, out["techniques"].emplace_array()));
  KZ_RETURN_IF_ERROR(MostReferenced(c, q, "intrusion-set--", false, out["groups"].emplace_array()));
  KZ_RETURN_IF_ERROR(TopIndicators(c, q, out["top_indicators"].emplace_array()));
  out["appendix"] = q.Appendix();
  return absl::OkStatus();
}

}  // namespace kizuna::report_internal
