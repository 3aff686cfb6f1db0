// Kizuna.
#include "kizuna/detect/indicator_details.h"

#include <boost/json.hpp>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/tlp.h"

namespace kizuna::detect {
namespace {

std::string_view CollectionName(const store::Collection& c) {
  if (!c.alias.empty()) return c.alias;
  if (!c.title.empty()) return c.title;
  return c.id;
}

void AppendMember(std::string_view key, std::string_view value, std::string& out) {
  StrAppend(out, ",\"", key, "\":");
  AppendJsonString(value, out);
}

}  // namespace

IndicatorDetails::IndicatorDetails(store::Store& store, store::Directory& directory,
                                   std::vector<store::Collection> collections)
    : store_(store), directory_(directory), collections_(std::move(collections)) {}

IndicatorDetails::Entry IndicatorDetails::Read(const Uuid& indicator) {
  const std::string id = FormatIndicatorId(indicator);
  Entry entry;
  const store::StoredObject* best = nullptr;
  const store::Collection* where = nullptr;
  std::vector<store::Page> pages;
  pages.reserve(collections_.size());
  for (const store::Collection& c : collections_) {
    absl::StatusOr<store::Page> page = store_.GetObject(c.id, id, store::PageRequest{});
    if (!page.ok() || page->objects.empty()) continue;
    pages.push_back(std::move(*page));
    const store::StoredObject& latest = pages.back().objects.back();
    if (best == nullptr || latest.version_ns > best->version_ns) {
      best = &latest;
      where = &c;
    }
  }
  if (best == nullptr) return entry;
  boost::json::error_code ec;
  const boost::json::value doc = boost::json::parse(best->json, ec);
  const boost::json::object* o = ec ? nullptr : doc.if_object();
  if (o != nullptr) {
    if (const boost::json::value* name = o->if_contains("name"); name && name->is_string()) {
      entry.name = std::string(name->as_string());
      AppendMember("name", entry.name, entry.members);
    }
    if (const boost::json::value* labels = o->if_contains("labels"); labels && labels->is_array()) {
      entry.members += ",\"labels\":";
      entry.members += boost::json::serialize(*labels);
    }
  }
  for (std::string_view rest = best->markings; !rest.empty();) {
    const size_t space = rest.find(' ');
    const std::string_view marking = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (std::optional<policy::TlpLevel> tlp = policy::PredefinedTlp(marking)) {
      AppendMember("tlp", policy::TlpName(*tlp), entry.members);
      break;
    }
  }
  if (!best->created_by_ref.empty()) {
    AppendMember("created_by", best->created_by_ref, entry.members);
    if (absl::StatusOr<store::Organization> org = directory_.FindOrganization(best->created_by_ref);
        org.ok()) {
      AppendMember("organization", org->name, entry.members);
      AppendMember("nation", org->nation, entry.members);
    }
  }
  AppendMember("collection", CollectionName(*where), entry.members);
  return entry;
}

const IndicatorDetails::Entry& IndicatorDetails::Lookup(const Uuid& indicator) {
  auto it = cache_.find(indicator);
  if (it == cache_.end()) it = cache_.emplace(indicator, Read(indicator)).first;
  return it->second;
}

void IndicatorDetails::Append(const Uuid& indicator, std::string& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  out += Lookup(indicator).members;
}

std::string IndicatorDetails::Name(const Uuid& indicator) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Lookup(indicator).name;
}

}  // namespace kizuna::detect
