// Kizuna. MISP events (the MISP core format) converted into STIX 2.1 objects.
#pragma once

// Reads one MISP document: a single event (`{"Event": {...}}` or the bare event object), an
// event list (`{"response": [{"Event": ...}, ...]}` as MISP's REST API answers, or a JSON
// array of events), and writes STIX 2.1 objects, one JSON object a line, for the importer
// (ingest/misp.h). docs/misp.md is the mapping table; in short:
//
//   MISP                          STIX
//   Event                         report (object_refs: everything below)
//   Attribute, to_ids, a pattern  indicator
//   Attribute, an observable      observed-data + the observable (SCO)
//   Attribute, neither            x-misp-attribute (a custom object)
//   Object                        grouping of its attributes
//   ObjectReference               relationship (x_misp_unresolved_references on the
//                                 grouping when its target is not in the event)
//   Galaxy / GalaxyCluster        attack-pattern, malware, tool, intrusion-set, threat-actor,
//                                 course-of-action (ATT&CK ids as mitre-attack references)
//                                 or x-misp-galaxy-cluster; linked by relationships
//   Sighting                      sighting of the attribute's object
//   Tag tlp:*                     object_marking_refs (the most restrictive of the entity's
//                                 own and its event's and object's)
//   other Tag                     labels
//
// Nothing is dropped: each entity's MISP record, without the members mapped to objects of
// their own, is kept verbatim in a custom property (x_misp_event, x_misp_attribute,
// x_misp_object, x_misp_reference, x_misp_sighting, x_misp_galaxy, x_misp_cluster; the tags
// as given in x_misp_tags), so that the export (to_misp.h) gives back what came in; what has
// no STIX counterpart is also named in `notes`.
//
// Identifiers are UUIDv5 in kMispNamespace of the entity's role and MISP uuid
// ("attribute:<uuid>"), so an import repeated gives the same ids, and the objects one
// attribute becomes never share an id with another's. An entity without a uuid (PyMISP's
// drafts) is named by its place: its event's key, its kind and its index. Observables have
// the ids STIX §6 defines from their values. created and modified are the entity's MISP
// timestamp, else its event's timestamp, else the event's date, else the epoch.
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/limits.h"

namespace kizuna::misp {

// The namespace of the UUIDv5 identifiers of objects made from MISP entities.
inline constexpr std::string_view kMispNamespace = "3f1c9a8e-6a4f-4d6b-9e57-2b8d0c7e5a41";

struct ConvertOptions {
  std::string created_by_ref;                // the importing organisation's identity id; required
  std::string origin;                        // names the input in errors ("file")
  size_t max_depth = limits::kMaxJsonDepth;  // JSON nesting accepted
  size_t max_notes = 100;                    // notes kept (all are counted)
};

struct Conversion {
  std::string json_lines;  // the STIX objects, one JSON object a line
  int64_t events = 0, attributes = 0, objects = 0, references = 0, sightings = 0, clusters = 0;
  int64_t stix_objects = 0;
  // What has no STIX counterpart of its own, each with how often it came: kept as a custom
  // object or property (named), or left out (named, with why). In first-seen order.
  std::vector<std::string> notes;
};

// Converts MISP document `text`. Errors: InvalidArgument, naming options.origin, when
// `text` is not JSON, nests deeper than options.max_depth, or is no event or event list.
absl::StatusOr<Conversion> ConvertMisp(std::string_view text, const ConvertOptions& options);

}  // namespace kizuna::misp
