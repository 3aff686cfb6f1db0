// Kizuna.
#include "kizuna/misp/to_stix.h"

#include <boost/json.hpp>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/misp/attribute_types.h"
#include "kizuna/misp/internal/galaxy.h"
#include "kizuna/misp/internal/json_util.h"
#include "kizuna/misp/tags.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::misp {
namespace {

namespace json = boost::json;
using misp_internal::ArrayAt;
using misp_internal::FlagAt;
using misp_internal::SecondsAt;
using misp_internal::StixTime;
using misp_internal::StringAt;
using misp_internal::TextAt;
using misp_internal::Without;

// The TLP marking an entity carries: the most restrictive of its tags and its containers'.
struct Marking {
  int rank = -1;  // none
  std::string_view id;

  Marking With(const Marking& other) const { return other.rank > rank ? other : *this; }
};

// What an entity's Tag list says.
struct Tags {
  Marking marking;
  json::array labels;
};

// The place of an entity in its event: what it inherits and belongs to.
struct Parent {
  std::string key;  // the entity key of the container (for entities without a uuid)
  Marking marking;
  std::string object_id;  // the grouping of a MISP object, or empty
};

// One attribute, planned before anything is written, so references can find its object.
struct PlannedAttribute {
  const json::object* attribute = nullptr;
  std::string key;
  std::string id;  // the object it becomes
  StixForm form;
  Marking marking;
  std::string object_id;
};

class Converter {
 public:
  Converter(const ConvertOptions& options, Conversion& out) : options_(options), out_(out) {}

  void Event(const json::object& event) {
    ++out_.events;
    // The objects written for one event live in one arena, released with the next event.
    arena_ = std::make_unique<json::monotonic_resource>();
    sp_ = json::storage_ptr(arena_.get());
    event_key_ = KeyOf(event, "", "event", 0);
    report_id_ = Id("report", "event", event_key_);
    event_seconds_ = EventSeconds(event);
    refs_.clear();
    by_uuid_.clear();
    attributes_.clear();
    Tags tags = TagsOf(event);
    Parent top{event_key_, tags.marking, ""};
    NoteDistribution(event);
    PlanAttributes(ArrayAt(event, "Attribute"), top);
    std::vector<std::pair<const json::object*, Parent>> objects = PlanObjects(event, top);
    for (const PlannedAttribute& a : attributes_) EmitAttribute(a);
    for (const auto& [object, parent] : objects) EmitObject(*object, parent);
    json::array unresolved = EventSightings(event, top);
    Galaxies(ArrayAt(event, "Galaxy"), report_id_, event_key_, top.marking);
    EmitReport(event, tags, std::move(unresolved));
  }

  void Note(const std::string& note) {
    auto [it, added] = notes_.try_emplace(note, 0);
    if (added) order_.push_back(note);
    ++it->second;
  }

  void Finish() {
    for (const std::string& n : order_) {
      if (out_.notes.size() >= options_.max_notes) break;
      int64_t count = notes_[n];
      out_.notes.push_back(count > 1 ? StrCat(n, " (", count, " times)") : n);
    }
  }

 private:
  // The name an entity's ids are made from: its uuid, else its place in its container.
  static std::string KeyOf(const json::object& o, std::string_view parent, std::string_view kind,
                           size_t index) {
    std::string uuid(StringAt(o, "uuid"));
    if (!uuid.empty()) {
      for (char& c : uuid) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      return uuid;
    }
    if (parent.empty()) {  // an event without a uuid: its content
      Sha256Digest d = Sha256(json::serialize(o));
      return StrCat("sha256:",
                    HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())));
    }
    return StrCat(parent, "/", kind, index);
  }

  static std::string Id(std::string_view type, std::string_view role, std::string_view key) {
    return StrCat(type, "--", stix::UuidV5(kMispNamespace, StrCat(role, ":", key)));
  }

  static int64_t EventSeconds(const json::object& event) {
    if (std::optional<int64_t> t = SecondsAt(event, "timestamp")) return *t;
    std::string_view date = StringAt(event, "date");
    if (absl::StatusOr<stix::Timestamp> t = stix::ParseTimestamp(StrCat(date, "T00:00:00Z"));
        t.ok()) {
      return t->seconds;
    }
    return 0;
  }

  std::string TimeOf(const json::object& o) const {
    return StixTime(SecondsAt(o, "timestamp").value_or(event_seconds_));
  }

  // Reads the tags of `o`, noting what they hold that maps to nothing when `note` says so.
  Tags TagsOf(const json::object& o, bool note = true) {
    Tags tags;
    const json::array* list = ArrayAt(o, "Tag");
    if (list == nullptr) return tags;
    for (const json::value& item : *list) {
      std::string_view name =
          item.is_object() ? StringAt(item.get_object(), "name") : std::string_view();
      if (name.empty()) {
        if (note) Note("a Tag without a name: kept in x_misp_tags only");
      } else if (std::optional<TlpTag> tlp = TlpOfTag(name)) {
        tags.marking = tags.marking.With(Marking{tlp->rank, tlp->marking_id});
      } else {
        if (note && IsTlpNamespace(name))
          Note(StrCat("tag '", name, "' is no TLP level: kept as a label"));
        tags.labels.emplace_back(name);
      }
    }
    return tags;
  }

  void NoteDistribution(const json::object& event) {
    std::string d = TextAt(event, "distribution");
    if (d == "0")
      Note("events of distribution 0 (your organisation only): the collection's release decides");
    if (d == "4")
      Note("events shared with a sharing group (distribution 4): the collection's release decides");
    if (event.contains("ShadowAttribute"))
      Note("proposals (ShadowAttribute): kept in x_misp_event");
  }

  // The properties every object made here has.
  json::object Common(std::string_view type, const std::string& id, const std::string& time,
                      const Marking& marking, json::array labels = {}) const {
    json::object o(sp_);
    o.reserve(16);
    o.emplace("type", type);
    o.emplace("spec_version", "2.1");
    o.emplace("id", id);
    o.emplace("created", time);
    o.emplace("modified", time);
    o.emplace("created_by_ref", options_.created_by_ref);
    if (!labels.empty()) o["labels"] = std::move(labels);
    if (marking.rank >= 0) o["object_marking_refs"] = json::array{json::string(marking.id)};
    return o;
  }

  // Writes `o`, which the event's report lists when its marking is no more restrictive.
  void Emit(const json::object& o, const Marking& marking) {
    std::string& out = out_.json_lines;  // serialised in place, without a string of its own
    serializer_.reset(&o);
    while (!serializer_.done()) {
      const size_t size = out.size();
      out.resize(size + kSerializeChunk);
      out.resize(size + serializer_.read(out.data() + size, kSerializeChunk).size());
    }
    out += '\n';
    ++out_.stix_objects;
    refs_.emplace_back(std::string(o.at("id").as_string()), marking.rank);
  }

  // The ids of `ids` whose marking is no more restrictive than `marking`: a list never names
  // what its readers may not see, not even by id; never empty (STIX 2.1 §2.12: the creator).
  json::array Released(const std::vector<std::pair<std::string, int>>& ids,
                       const Marking& marking) const {
    json::array out;
    absl::flat_hash_set<absl::string_view> seen;
    for (const auto& [id, rank] : ids) {
      if (rank <= marking.rank && seen.insert(AbslView(id)).second) out.emplace_back(id);
    }
    if (out.empty()) out.emplace_back(options_.created_by_ref);
    return out;
  }

  void PlanAttributes(const json::array* list, const Parent& parent) {
    if (list == nullptr) return;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) {
        Note("an Attribute that is not a JSON object: left out");
        continue;
      }
      const json::object& a = (*list)[i].get_object();
      PlannedAttribute p;
      p.attribute = &a;
      p.key = KeyOf(a, parent.key, "attribute", i);
      p.form = StixFormOf(StringAt(a, "type"), TextAt(a, "value"));
      Tags tags = TagsOf(a);
      p.marking = parent.marking.With(tags.marking);
      p.object_id = parent.object_id;
      bool to_ids = FlagAt(a, "to_ids");
      std::string_view type = to_ids && !p.form.pattern.empty()   ? "indicator"
                              : !to_ids && !p.form.sco_id.empty() ? "observed-data"
                                                                  : "x-misp-attribute";
      if (type == "x-misp-attribute") {
        Note(StrCat("attributes kept as x-misp-attribute: ",
                    p.form.reason.empty()
                        ? StrCat(to_ids ? "no STIX pattern" : "no single STIX observable",
                                 " for type '", StringAt(a, "type"), "'")
                        : p.form.reason));
      }
      if (!p.form.sco_id.empty() && type == "observed-data") {
        Marking& m = sco_markings_[p.form.sco_id];
        m = m.With(p.marking);
      }
      p.id = Id(type, "attribute", p.key);
      marking_of_[p.id] = p.marking;
      if (std::string_view uuid = StringAt(a, "uuid"); !uuid.empty())
        by_uuid_[std::string(uuid)] = p.id;
      attributes_.push_back(std::move(p));
    }
  }

  std::vector<std::pair<const json::object*, Parent>> PlanObjects(const json::object& event,
                                                                  const Parent& top) {
    std::vector<std::pair<const json::object*, Parent>> objects;
    const json::array* list = ArrayAt(event, "Object");
    if (list == nullptr) return objects;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) {
        Note("an Object that is not a JSON object: left out");
        continue;
      }
      const json::object& o = (*list)[i].get_object();
      Parent parent;
      parent.key = KeyOf(o, top.key, "object", i);
      parent.marking = top.marking.With(TagsOf(o).marking);
      parent.object_id = Id("grouping", "object", parent.key);
      marking_of_[parent.object_id] = parent.marking;
      if (std::string_view uuid = StringAt(o, "uuid"); !uuid.empty())
        by_uuid_[std::string(uuid)] = parent.object_id;
      PlanAttributes(ArrayAt(o, "Attribute"), parent);
      objects.emplace_back(&o, std::move(parent));
    }
    return objects;
  }

  void EmitAttribute(const PlannedAttribute& p) {
    const json::object& a = *p.attribute;
    ++out_.attributes;
    std::string_view type = std::string_view(p.id).substr(0, p.id.find("--"));
    std::string time = TimeOf(a);
    json::object o = Common(type, p.id, time, p.marking, TagsOf(a, false).labels);
    std::string value = TextAt(a, "value");
    if (type == "indicator") {
      o["name"] = StrCat(StringAt(a, "type"), ": ", value);
      if (std::string_view c = StringAt(a, "comment"); !c.empty()) o["description"] = c;
      o["pattern"] = p.form.pattern;
      o["pattern_type"] = "stix";
      o["pattern_version"] = "2.1";
      o["valid_from"] = time;
    } else if (type == "observed-data") {
      EmitObservable(p.form);
      o["first_observed"] = time;
      o["last_observed"] = time;
      o["number_observed"] = 1;
      o["object_refs"] = json::array{json::string(p.form.sco_id)};
    } else {
      o["name"] = StrCat(StringAt(a, "type"), ": ", value);
    }
    if (FlagAt(a, "deleted")) o["revoked"] = true;
    o["x_misp_attribute"] = Without(a, {"Tag", "Galaxy", "Sighting"}, sp_);
    if (const json::value* tags = a.if_contains("Tag")) o["x_misp_tags"] = *tags;
    o["x_misp_event_ref"] = report_id_;
    if (!p.object_id.empty()) o["x_misp_object_ref"] = p.object_id;
    Emit(o, p.marking);
    if (const json::array* sightings = ArrayAt(a, "Sighting")) {
      for (size_t i = 0; i < sightings->size(); ++i)
        Sighting((*sightings)[i], p.id, p.marking, StrCat(p.key, "/s", i));
    }
    Galaxies(ArrayAt(a, "Galaxy"), p.id, p.key, p.marking);
  }

  // Writes the observable of `form` once per conversion, with the most restrictive marking of
  // the attributes that name it.
  void EmitObservable(const StixForm& form) {
    if (!emitted_.insert(form.sco_id).second) return;
    json::object sco = json::parse(form.sco_json, sp_).as_object();
    const Marking& m = sco_markings_[form.sco_id];
    if (m.rank >= 0) sco["object_marking_refs"] = json::array{json::string(m.id)};
    Emit(sco, m);
  }

  void EmitObject(const json::object& object, const Parent& parent) {
    ++out_.objects;
    std::vector<std::pair<std::string, int>> members;
    for (const PlannedAttribute& a : attributes_) {
      if (a.object_id == parent.object_id) members.emplace_back(a.id, a.marking.rank);
    }
    json::object o = Common("grouping", parent.object_id, TimeOf(object), parent.marking,
                            TagsOf(object, false).labels);
    std::string_view name = StringAt(object, "name");
    o["name"] = name.empty() ? std::string_view("MISP object") : name;
    if (std::string_view d = StringAt(object, "description"); !d.empty()) o["description"] = d;
    o["context"] = "unspecified";
    o["object_refs"] = Released(members, parent.marking);
    o["x_misp_object"] = Without(object, {"Attribute", "ObjectReference", "Tag"}, sp_);
    if (const json::value* tags = object.if_contains("Tag")) o["x_misp_tags"] = *tags;
    o["x_misp_event_ref"] = report_id_;
    json::array unresolved;
    if (const json::array* list = ArrayAt(object, "ObjectReference")) {
      for (size_t i = 0; i < list->size(); ++i) {
        if (!Reference((*list)[i], parent, StrCat(parent.key, "/r", i)))
          unresolved.push_back((*list)[i]);
      }
    }
    if (!unresolved.empty()) {
      Note("object references to what is not in the event: kept in x_misp_unresolved_references");
      o["x_misp_unresolved_references"] = std::move(unresolved);
    }
    Emit(o, parent.marking);
  }

  // Writes the relationship of reference `r`; false when its target is not in the event.
  bool Reference(const json::value& r, const Parent& parent, const std::string& fallback_key) {
    if (!r.is_object()) return false;
    const json::object& ref = r.get_object();
    auto target = by_uuid_.find(AbslView(StringAt(ref, "referenced_uuid")));
    if (target == by_uuid_.end()) return false;
    ++out_.references;
    std::string key = KeyOf(ref, parent.key, "r", 0);
    if (!ref.contains("uuid")) key = fallback_key;
    // As restrictive as either end: the reference names its target (and MISP may embed it).
    Marking marking = parent.marking.With(marking_of_[target->second]);
    json::object o =
        Common("relationship", Id("relationship", "reference", key), TimeOf(ref), marking);
    std::string_view type = StringAt(ref, "relationship_type");
    bool valid =
        type.size() >= 3 &&
        type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
    if (!valid)
      Note(
          "relationship types that are no STIX name: written as related-to, kept in "
          "x_misp_reference");
    o["relationship_type"] = valid ? type : std::string_view("related-to");
    o["source_ref"] = parent.object_id;
    o["target_ref"] = target->second;
    o["x_misp_reference"] = ref;
    o["x_misp_event_ref"] = report_id_;
    Emit(o, marking);
    return true;
  }

  // The event's own Sighting list (each naming its attribute); returns those whose
  // attribute is not in the event.
  json::array EventSightings(const json::object& event, const Parent& top) {
    json::array unresolved;
    const json::array* list = ArrayAt(event, "Sighting");
    if (list == nullptr) return unresolved;
    for (size_t i = 0; i < list->size(); ++i) {
      const json::value& s = (*list)[i];
      std::string_view attribute =
          s.is_object() ? StringAt(s.get_object(), "attribute_uuid") : std::string_view();
      auto target = by_uuid_.find(AbslView(attribute));
      if (target == by_uuid_.end()) {
        unresolved.push_back(s);
        continue;
      }
      Marking marking = top.marking;
      for (const PlannedAttribute& a : attributes_) {
        if (a.id == target->second) marking = a.marking;
      }
      Sighting(s, target->second, marking, StrCat(event_key_, "/s", i), true);
    }
    if (!unresolved.empty())
      Note("sightings of attributes not in the event: kept in x_misp_unresolved_sightings");
    return unresolved;
  }

  // Writes sighting `s` of `target`; `event_level` when the event's list gave it.
  void Sighting(const json::value& s, const std::string& target, const Marking& marking,
                const std::string& key, bool event_level = false) {
    if (!s.is_object()) {
      Note("a Sighting that is not a JSON object: left out");
      return;
    }
    const json::object& sighting = s.get_object();
    ++out_.sightings;
    std::string_view uuid = StringAt(sighting, "uuid");
    std::string time = StixTime(SecondsAt(sighting, "date_sighting").value_or(event_seconds_));
    json::object o =
        Common("sighting", Id("sighting", "sighting", uuid.empty() ? key : std::string(uuid)), time,
               marking);
    o["sighting_of_ref"] = target;
    o["first_seen"] = time;
    o["last_seen"] = time;
    o["count"] = 1;
    o["x_misp_sighting"] = sighting;
    if (event_level) o["x_misp_event_sighting"] = true;
    o["x_misp_event_ref"] = report_id_;
    Emit(o, marking);
  }

  // The clusters of `galaxies`, attached to `source_id` by relationships.
  void Galaxies(const json::array* galaxies, const std::string& source_id,
                const std::string& source_key, const Marking& marking) {
    if (galaxies == nullptr) return;
    for (const json::value& g : *galaxies) {
      const json::array* clusters =
          g.is_object() ? ArrayAt(g.get_object(), "GalaxyCluster") : nullptr;
      if (clusters == nullptr) {
        Note("a Galaxy without a GalaxyCluster list: left out");
        continue;
      }
      const json::object& galaxy = g.get_object();
      for (size_t i = 0; i < clusters->size(); ++i) {
        if (!(*clusters)[i].is_object()) continue;
        const json::object& cluster = (*clusters)[i].get_object();
        std::string_view galaxy_type = StringAt(galaxy, "type");
        if (galaxy_type.empty()) galaxy_type = StringAt(cluster, "type");
        std::string_view type = misp_internal::ClusterType(galaxy_type);
        if (type == "x-misp-galaxy-cluster") {
          Note(StrCat("clusters of galaxy '", galaxy_type, "' kept as x-misp-galaxy-cluster"));
        }
        // Old MISP versions gave every cluster its galaxy's uuid: the value tells them apart.
        std::string cluster_key = StrCat(KeyOf(cluster, StrCat(source_key, "/galaxy"), "c", i), "|",
                                         StringAt(cluster, "value"));
        std::string cluster_id = Id(type, "cluster", cluster_key);
        if (emitted_.insert(cluster_id).second) {
          ++out_.clusters;
          json::object o = Common(type, cluster_id, StixTime(event_seconds_), marking);
          misp_internal::AddClusterProperties(type, galaxy_type, cluster, o);
          o["x_misp_galaxy"] = Without(galaxy, {"GalaxyCluster"}, sp_);
          o["x_misp_cluster"] = cluster;
          marking_of_[cluster_id] = marking;
          Emit(o, marking);
        } else {
          refs_.emplace_back(cluster_id, marking_of_[cluster_id].rank);
        }
        Marking link_marking = marking.With(marking_of_[cluster_id]);
        json::object link = Common(
            "relationship", Id("relationship", "galaxy", StrCat(source_key, ">", cluster_key)),
            StixTime(event_seconds_), link_marking);
        link["relationship_type"] = "related-to";
        link["source_ref"] = source_id;
        link["target_ref"] = cluster_id;
        link["x_misp_galaxy_link"] = true;
        link["x_misp_event_ref"] = report_id_;
        Emit(link, link_marking);
      }
    }
  }

  void EmitReport(const json::object& event, Tags& tags, json::array unresolved_sightings) {
    json::object o = Common("report", report_id_, StixTime(event_seconds_), tags.marking,
                            std::move(tags.labels));
    std::string_view info = StringAt(event, "info");
    o["name"] = info.empty() ? StrCat("MISP event ", event_key_) : std::string(info);
    std::optional<int64_t> published = SecondsAt(event, "publish_timestamp");
    o["published"] = StixTime(published.value_or(0) > 0 ? *published : event_seconds_);
    o["report_types"] = json::array{"threat-report"};
    o["object_refs"] = Released(refs_, tags.marking);
    // attribute_count would tell every reader of the report how many attributes it has,
    // including those released to fewer readers: MISP's export counts what it writes.
    o["x_misp_event"] =
        Without(event, {"Attribute", "Object", "Tag", "Galaxy", "Sighting", "attribute_count"}, sp_);
    if (const json::value* t = event.if_contains("Tag")) o["x_misp_tags"] = *t;
    if (!unresolved_sightings.empty())
      o["x_misp_unresolved_sightings"] = std::move(unresolved_sightings);
    Emit(o, tags.marking);
  }

  const ConvertOptions& options_;
  Conversion& out_;
  static constexpr size_t kSerializeChunk = 4096;
  json::serializer serializer_;
  std::unique_ptr<json::monotonic_resource> arena_;  // this event's objects
  json::storage_ptr sp_;
  std::string event_key_, report_id_;
  int64_t event_seconds_ = 0;
  std::vector<std::pair<std::string, int>> refs_;          // what the event made, with its TLP rank
  absl::flat_hash_map<std::string, Marking> marking_of_;   // attributes, groupings, clusters
  absl::flat_hash_map<std::string, std::string> by_uuid_;  // MISP uuid -> STIX id, in the event
  std::vector<PlannedAttribute> attributes_;
  absl::flat_hash_map<std::string, Marking> sco_markings_;
  absl::flat_hash_set<std::string> emitted_;  // observables and clusters, once per conversion
  absl::flat_hash_map<std::string, int64_t> notes_;
  std::vector<std::string> order_;
};

// The output reserved per input byte (the STIX of the generated events in misp_bench is 3.2
// times their MISP text).
constexpr size_t kStixBytesPerMispByte = 4;

// The events of document `doc`, or an error naming what it is instead.
absl::StatusOr<std::vector<const json::object*>> EventsOf(const json::value& doc,
                                                          std::string_view origin) {
  std::vector<const json::object*> events;
  auto add = [&events](const json::value& item) {
    if (!item.is_object()) return false;
    const json::object& o = item.get_object();
    const json::value* inner = o.if_contains("Event");
    if (inner != nullptr && !inner->is_object()) return false;
    events.push_back(inner != nullptr ? &inner->get_object() : &o);
    return true;
  };
  const json::array* list = doc.is_array() ? &doc.get_array() : nullptr;
  if (doc.is_object()) list = ArrayAt(doc.get_object(), "response");
  if (list == nullptr) {
    if (add(doc)) return events;
  } else {
    for (size_t i = 0; i < list->size(); ++i) {
      if (!add((*list)[i])) {
        return absl::InvalidArgumentError(
            StrCat(origin, ": event list item ", i, " is not a MISP event object"));
      }
    }
    return events;
  }
  return absl::InvalidArgumentError(StrCat(origin,
                                           ": not a MISP event, an event list or {\"response\": "
                                           "[...]}: the document is no JSON object"));
}

}  // namespace

absl::StatusOr<Conversion> ConvertMisp(std::string_view text, const ConvertOptions& options) {
  json::parse_options parse_options;
  parse_options.max_depth = options.max_depth;
  boost::system::error_code ec;
  json::monotonic_resource arena;  // the document's nodes, freed at once
  json::value doc = json::parse(json::string_view(text.data(), text.size()), ec, &arena, parse_options);
  if (ec) return absl::InvalidArgumentError(StrCat(options.origin, ": not JSON: ", ec.message()));
  KZ_ASSIGN_OR_RETURN(std::vector<const json::object*> events, EventsOf(doc, options.origin));
  Conversion out;
  // STIX takes about three times the bytes of MISP: growing the text once avoids copying
  // (and faulting in) it again and again.
  out.json_lines.reserve(text.size() * kStixBytesPerMispByte);
  Converter converter(options, out);
  for (const json::object* e : events) converter.Event(*e);
  converter.Finish();
  return out;
}

}  // namespace kizuna::misp
