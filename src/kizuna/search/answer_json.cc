// Kizuna.
#include "kizuna/search/answer_json.h"

#include <boost/json.hpp>

#include "kizuna/stix/timestamp.h"

namespace kizuna::search {
namespace {

boost::json::string J(std::string_view s) { return boost::json::string(s.data(), s.size()); }

boost::json::object AnswerObject(const Answer& answer) {
  boost::json::array results;
  for (const Result& r : answer.results) {
    boost::json::array reasons;
    for (const Reason& why : r.reasons) {
      boost::json::object o{{"relation", J(why.relation)}, {"common", why.common}};
      if (!why.path.empty()) o["path"] = J(why.path);
      if (!why.value.empty()) o["value"] = J(why.value);
      if (!why.via.empty()) o["via"] = J(why.via);
      if (!why.relationship_type.empty()) o["relationship_type"] = J(why.relationship_type);
      if (!why.block.empty()) o["block"] = J(why.block);
      reasons.push_back(std::move(o));
    }
    boost::json::object o{{"id", J(r.object.id)},
                          {"type", J(r.object.type)},
                          {"collection", J(r.collection_id)},
                          {"version", J(r.object.version)},
                          {"date_added", J(stix::FormatTaxii(r.object.date_added_us))},
                          {"common_only", r.common_only},
                          {"reasons", std::move(reasons)}};
    if (!r.name.empty()) o["name"] = J(r.name);
    results.push_back(std::move(o));
  }
  return boost::json::object{{"index_complete", answer.index_complete},
                             {"more", answer.more},
                             {"results", std::move(results)}};
}

}  // namespace

std::string AnswerJson(const Answer& answer) { return boost::json::serialize(AnswerObject(answer)); }

std::string AnswerJson(const ObservableAnswer& answer) {
  boost::json::object o = AnswerObject(answer);
  o["value"] = J(answer.value);
  o["common"] = answer.common;
  if (!answer.listed_in.empty()) o["listed_in"] = J(answer.listed_in);
  return boost::json::serialize(o);
}

}  // namespace kizuna::search
