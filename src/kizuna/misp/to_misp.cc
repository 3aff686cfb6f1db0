// Kizuna.
#include "kizuna/misp/to_misp.h"

#include "kizuna/base/strings.h"
#include "kizuna/misp/attribute_types.h"
#include "kizuna/misp/internal/json_util.h"
#include "kizuna/misp/tags.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::misp {
namespace {

namespace json = boost::json;
using misp_internal::ArrayAt;
using misp_internal::StringAt;

// The most restrictive TLP level among the tags of `tags`, or -1.
int TagRank(const json::value* tags) {
  int rank = -1;
  if (tags == nullptr || !tags->is_array()) return rank;
  for (const json::value& t : tags->get_array()) {
    if (!t.is_object()) continue;
    if (std::optional<TlpTag> tlp = TlpOfTag(StringAt(t.get_object(), "name")))
      rank = std::max(rank, tlp->rank);
  }
  return rank;
}

// The tags of STIX object `o` not made from MISP: its labels and its TLP marking.
json::array TagsOf(const json::object& o, std::string_view marking_tag) {
  json::array tags;
  if (const json::array* labels = ArrayAt(o, "labels")) {
    for (const json::value& l : *labels) tags.push_back(json::object{{"name", l}});
  }
  if (!marking_tag.empty()) tags.push_back(json::object{{"name", marking_tag}});
  return tags;
}

// The TLP marking of `o`, as a rank and a MISP tag (-1 and empty for none).
std::pair<int, std::string> MarkingOf(const json::object& o) {
  std::pair<int, std::string> best{-1, ""};
  if (const json::array* refs = ArrayAt(o, "object_marking_refs")) {
    for (const json::value& r : *refs) {
      std::string_view tag = r.is_string() ? TagOfTlpMarking(r.get_string()) : std::string_view();
      std::optional<TlpTag> tlp = TlpOfTag(tag);
      if (tlp && tlp->rank > best.first) best = {tlp->rank, std::string(tag)};
    }
  }
  return best;
}

// Puts the marking's tag in place of the tlp: tags of `record` when the marking is more
// restrictive than what its tags and its containers' say.
void RaiseTlp(json::object& record, int inherited, int rank, const std::string& tag) {
  json::value* tags = record.if_contains("Tag");
  if (rank < 0 || rank <= std::max(inherited, TagRank(tags))) return;
  json::array kept;
  if (tags != nullptr && tags->is_array()) {
    for (const json::value& t : tags->get_array()) {
      if (!(t.is_object() && TlpOfTag(StringAt(t.get_object(), "name")))) kept.push_back(t);
    }
  }
  kept.push_back(json::object{{"name", tag}});
  record["Tag"] = std::move(kept);
}

json::object ObjectAt(json::object& o, std::string_view key) {
  json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? std::move(v->get_object()) : json::object();
}

// Appends `item` to the array member `key` of `o`, making it when absent.
void Append(json::object& o, std::string_view key, json::value item) {
  json::value& v = o[key];
  if (!v.is_array()) v = json::array();
  v.get_array().push_back(std::move(item));
}

}  // namespace

absl::Status EventWriter::Add(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object())
    return absl::InvalidArgumentError("a STIX object that is no JSON object");
  json::object& o = v.get_object();
  std::string id(StringAt(o, "id")), type(StringAt(o, "type"));
  for (std::string_view key :
       {"x_misp_event", "x_misp_attribute", "x_misp_object", "x_misp_reference",
        "x_misp_galaxy_link", "x_misp_cluster", "x_misp_sighting"}) {
    if (o.contains(key)) {
      AddMispObject(o, id, type);
      return absl::OkStatus();
    }
  }
  AddNative(o, id, type);
  return absl::OkStatus();
}

void EventWriter::NoteEvent(const std::string& event_ref) {
  if (!event_ref.empty() && events_seen_.insert(event_ref).second)
    event_order_.push_back(event_ref);
}

void EventWriter::AddMispObject(json::object& o, std::string_view id, std::string_view type) {
  auto [rank, tag] = MarkingOf(o);
  Entity e;
  e.event_ref = StringAt(o, "x_misp_event_ref");
  e.object_ref = StringAt(o, "x_misp_object_ref");
  e.modified = StringAt(o, "modified");
  e.marking_rank = rank;
  e.marking_tag = tag;
  auto with_tags = [&](json::object record) {  // the tags as imported; RaiseTlp adds the marking's
    if (const json::array* tags = ArrayAt(o, "x_misp_tags")) record["Tag"] = *tags;
    return record;
  };
  if (o.contains("x_misp_event")) {
    e.record = with_tags(ObjectAt(o, "x_misp_event"));
    if (const json::array* s = ArrayAt(o, "x_misp_unresolved_sightings")) e.record["Sighting"] = *s;
    NoteEvent(std::string(id));
    reports_[std::string(id)] = std::move(e);
  } else if (o.contains("x_misp_attribute")) {
    e.record = with_tags(ObjectAt(o, "x_misp_attribute"));
    if (type == "observed-data") {
      if (const json::array* refs = ArrayAt(o, "object_refs")) {
        for (const json::value& r : *refs) {
          if (r.is_string()) observed_.insert(std::string(r.get_string()));
        }
      }
    }
    NoteEvent(e.event_ref);
    std::string uuid(StringAt(e.record, "uuid"));
    if (!uuid.empty()) {  // one MISP attribute, several STIX objects over time: the newest
      auto [it, added] = attribute_by_uuid_.try_emplace(uuid, std::string(id));
      if (!added) {
        auto old = attributes_.find(it->second);
        if (old != attributes_.end() && old->second.modified > e.modified) return;
        if (old != attributes_.end()) attributes_.erase(old);
        it->second = std::string(id);
      }
    }
    attribute_order_.emplace_back(id);
    attributes_[std::string(id)] = std::move(e);
  } else if (o.contains("x_misp_object")) {
    e.record = with_tags(ObjectAt(o, "x_misp_object"));
    if (const json::array* r = ArrayAt(o, "x_misp_unresolved_references"))
      e.record["ObjectReference"] = *r;
    NoteEvent(e.event_ref);
    object_order_.emplace_back(id);
    objects_[std::string(id)] = std::move(e);
  } else if (o.contains("x_misp_reference")) {
    references_.push_back(
        {std::string(StringAt(o, "source_ref")), "", ObjectAt(o, "x_misp_reference")});
  } else if (o.contains("x_misp_galaxy_link")) {
    galaxy_links_.push_back(
        {std::string(StringAt(o, "source_ref")), std::string(StringAt(o, "target_ref")), {}});
  } else if (o.contains("x_misp_cluster")) {
    clusters_[std::string(id)] = json::object{{"galaxy", ObjectAt(o, "x_misp_galaxy")},
                                              {"cluster", ObjectAt(o, "x_misp_cluster")}};
  } else {
    // The event's own list keeps the sightings it gave (target: the event).
    bool event_level = o.contains("x_misp_event_sighting");
    sightings_.push_back(
        {std::string(StringAt(o, "sighting_of_ref")),
         event_level ? std::string(StringAt(o, "x_misp_event_ref")) : std::string(),
         ObjectAt(o, "x_misp_sighting")});
  }
}

void EventWriter::AddNative(json::object& o, std::string_view id, std::string_view type) {
  std::optional<NativeAttribute> a;
  bool to_ids = false;
  if (type == "indicator") {
    std::string_view pattern = StringAt(o, "pattern");
    to_ids = true;
    a = AttributeOfPattern(pattern);
    if (!a && StringAt(o, "pattern_type") == "stix")
      a = NativeAttribute{"stix2-pattern", "Payload installation", ""};
    if (a && a->value.empty()) a->value = std::string(pattern);
  } else {
    a = AttributeOfObservable(o);
  }
  if (!a) {
    ++counts_.skipped[std::string(type)];
    return;
  }
  size_t dashes = id.find("--");
  json::object record{{"type", a->type},
                      {"category", a->category},
                      {"value", a->value},
                      {"to_ids", to_ids},
                      {"uuid", dashes == std::string_view::npos ? id : id.substr(dashes + 2)}};
  if (std::string_view d = StringAt(o, "description"); !d.empty()) record["comment"] = d;
  json::array tags = TagsOf(o, MarkingOf(o).second);
  if (!tags.empty()) record["Tag"] = std::move(tags);
  natives_.emplace_back(std::string(id), std::move(record));
}

json::object EventWriter::EventOf(const std::string& ref,
                                  absl::flat_hash_map<std::string, json::array>& galaxies) {
  auto report = reports_.find(ref);
  json::object event = report != reports_.end() ? std::move(report->second.record) : json::object();
  if (report != reports_.end())
    RaiseTlp(event, -1, report->second.marking_rank, report->second.marking_tag);
  if (auto g = galaxies.find(ref); g != galaxies.end()) event["Galaxy"] = std::move(g->second);
  return event;
}

std::string EventWriter::Finish() {
  for (Link& s : sightings_) {
    auto a = attributes_.find(s.source);
    if (a == attributes_.end()) continue;  // the attribute is withheld: so is its sighting
    if (!s.target.empty()) {
      auto r = reports_.find(s.target);
      if (r != reports_.end()) Append(r->second.record, "Sighting", std::move(s.record));
    } else {
      Append(a->second.record, "Sighting", std::move(s.record));
    }
    ++counts_.sightings;
  }
  for (Link& r : references_) {
    if (auto o = objects_.find(r.source); o != objects_.end())
      Append(o->second.record, "ObjectReference", std::move(r.record));
  }
  absl::flat_hash_map<std::string, json::array> galaxies;  // source id -> its Galaxy list
  for (const Link& l : galaxy_links_) {
    auto c = clusters_.find(l.target);
    if (c == clusters_.end()) continue;
    json::array& list = galaxies[l.source];
    const json::object& galaxy = c->second.at("galaxy").get_object();
    json::object* into = nullptr;
    for (json::value& g : list) {
      if (StringAt(g.get_object(), "uuid") == StringAt(galaxy, "uuid")) into = &g.get_object();
    }
    if (into == nullptr) {
      list.push_back(galaxy);
      into = &list.back().get_object();
    }
    Append(*into, "GalaxyCluster", c->second.at("cluster"));
    ++counts_.clusters;
  }
  // Attributes and objects by event, in the order read.
  absl::flat_hash_map<std::string, std::vector<std::string>> event_attributes, event_objects;
  for (const std::string& id : attribute_order_) {
    auto a = attributes_.find(id);
    if (a == attributes_.end()) continue;
    if (auto g = galaxies.find(id); g != galaxies.end())
      a->second.record["Galaxy"] = std::move(g->second);
    event_attributes[a->second.event_ref].push_back(id);
  }
  for (const std::string& id : object_order_) event_objects[objects_[id].event_ref].push_back(id);

  json::array response;
  for (const std::string& ref : event_order_) {
    json::object event = EventOf(ref, galaxies);
    const int event_rank = TagRank(event.if_contains("Tag"));
    json::array top;
    absl::flat_hash_map<std::string, json::array> in_object;
    for (const std::string& id : event_attributes[ref]) {
      Entity& a = attributes_[id];
      auto object = objects_.find(a.object_ref);
      int inherited = std::max(event_rank, object == objects_.end()
                                               ? -1
                                               : TagRank(object->second.record.if_contains("Tag")));
      RaiseTlp(a.record, inherited, a.marking_rank, a.marking_tag);
      ++counts_.attributes;
      (object == objects_.end() ? top : in_object[a.object_ref]).push_back(std::move(a.record));
    }
    if (!top.empty()) event["Attribute"] = std::move(top);
    json::array objects;
    for (const std::string& id : event_objects[ref]) {
      Entity& o = objects_[id];
      RaiseTlp(o.record, event_rank, o.marking_rank, o.marking_tag);
      if (auto members = in_object.find(id); members != in_object.end())
        o.record["Attribute"] = std::move(members->second);
      objects.push_back(std::move(o.record));
      ++counts_.objects;
    }
    if (!objects.empty()) event["Object"] = std::move(objects);
    response.push_back(json::object{{"Event", std::move(event)}});
    ++counts_.events;
  }
  json::array natives;
  for (auto& [id, record] : natives_) {
    if (observed_.contains(id)) continue;  // the observable of an attribute exported above
    natives.push_back(std::move(record));
    ++counts_.attributes;
  }
  if (!natives.empty()) {
    stix::Timestamp now;
    now.seconds = options_.now_seconds;
    std::string date = stix::FormatTimestamp(now, 0).substr(0, 10);
    response.push_back(
        json::object{{"Event", json::object{{"uuid", options_.native_event_uuid},
                                            {"info", options_.native_event_info},
                                            {"date", date},
                                            {"timestamp", std::to_string(options_.now_seconds)},
                                            {"threat_level_id", "4"},
                                            {"analysis", "2"},
                                            {"distribution", "0"},
                                            {"published", false},
                                            {"Attribute", std::move(natives)}}}});
    ++counts_.events;
  }
  return json::serialize(json::object{{"response", std::move(response)}}) + "\n";
}

}  // namespace kizuna::misp
