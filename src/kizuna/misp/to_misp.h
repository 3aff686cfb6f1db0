// Kizuna. STIX objects written back as MISP events (the MISP core format).
#pragma once

// EventWriter takes the STIX objects a reader may see (the caller reads them through the
// policy's released read) and writes MISP events, the inverse of to_stix.h:
//
//   - objects made from MISP give back their record (x_misp_event, x_misp_attribute,
//     x_misp_object, ...) under the event and object they came from, with their tags,
//     object references, galaxies and sightings, so value, type, category, to_ids, comment
//     and tags come back as they were imported. A TLP marking more restrictive than the
//     entity's tags and those it inherits (changed in Kizuna since) replaces its tlp: tags.
//   - other indicators and observables (not made from MISP) become attributes of one more
//     event, named by ExportOptions: a simple pattern or observable as its MISP type
//     (attribute_types.h), any other pattern as a `stix2-pattern` attribute; their labels
//     and TLP markings become tags. Other objects are counted by type in `skipped`.
//
// Only what was added appears: an event whose report was withheld keeps its visible
// attributes without the event's own fields; a withheld cluster, object or sighting is
// simply absent.
//
// Thread-safety: one thread per writer.

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace kizuna::misp {

struct ExportOptions {
  std::string native_event_uuid;  // the event of objects not made from MISP
  std::string native_event_info;
  int64_t now_seconds = 0;  // its date and timestamp
};

struct ExportCounts {
  int64_t events = 0, attributes = 0, objects = 0, sightings = 0, clusters = 0;
  std::map<std::string, int64_t> skipped;  // STIX type -> objects with no MISP form
};

class EventWriter {
 public:
  explicit EventWriter(ExportOptions options) : options_(std::move(options)) {}

  // Adds one STIX object, its JSON text. Errors: InvalidArgument when it is no JSON object.
  absl::Status Add(std::string_view json);

  // Returns the events as a MISP event list, `{"response": [{"Event": {...}}, ...]}`.
  std::string Finish();

  const ExportCounts& counts() const { return counts_; }

 private:
  struct Entity {  // an attribute or a MISP object, with where it belongs
    boost::json::object record;
    std::string event_ref, object_ref, modified;
    int marking_rank = -1;
    std::string marking_tag;
  };
  struct Link {
    std::string source, target;
    boost::json::object record;  // the reference or sighting; empty for galaxy links
  };

  void AddMispObject(boost::json::object& o, std::string_view id, std::string_view type);
  void AddNative(boost::json::object& o, std::string_view id, std::string_view type);
  void NoteEvent(const std::string& event_ref);
  boost::json::object EventOf(const std::string& ref,
                              absl::flat_hash_map<std::string, boost::json::array>& galaxies);

  ExportOptions options_;
  ExportCounts counts_;
  std::vector<std::string> event_order_;
  absl::flat_hash_set<std::string> events_seen_;
  absl::flat_hash_map<std::string, Entity> reports_;  // report id -> event record
  std::vector<std::string> attribute_order_;
  absl::flat_hash_map<std::string, Entity> attributes_;              // STIX id -> attribute
  absl::flat_hash_map<std::string, std::string> attribute_by_uuid_;  // MISP uuid -> STIX id
  std::vector<std::string> object_order_;
  absl::flat_hash_map<std::string, Entity> objects_;                // grouping id -> MISP object
  absl::flat_hash_map<std::string, boost::json::object> clusters_;  // id -> {galaxy, cluster}
  std::vector<Link> references_, sightings_, galaxy_links_;
  std::vector<std::pair<std::string, boost::json::object>> natives_;  // id -> attribute
  absl::flat_hash_set<std::string> observed_;  // observables of MISP observed-data
};

}  // namespace kizuna::misp
