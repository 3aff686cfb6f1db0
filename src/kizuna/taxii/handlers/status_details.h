// Kizuna. The object lists of a status resource (TAXII 2.1 §4.3.1), bounded. Internal to
// src/kizuna/taxii/.
#pragma once

// A status names each object of its request in `successes` or `failures` (status-details:
// id, version, message). An envelope holds up to ServiceOptions::max_envelope_objects
// objects, each of which may fail with a long message, and the status is kept for days: a
// DetailList keeps the first `max_details` entries of a list in full, each field cut to its
// bound below, and only counts the others. A status that left entries out says so in a
// custom property (TAXII 2.1 §7.1), present only then:
//
//   "x_kizuna_details_omitted": {"successes": 9000, "failures": 0}
//
// success_count, failure_count and total_count stay exact (docs/config.md, `statuses`).
// Thread-safety: values only.

#include <cstddef>
#include <string>
#include <string_view>

namespace kizuna::taxii::taxii_internal {

// Bounds of one entry's fields, in octets of UTF-8 (cut on a character boundary). A STIX
// identifier is at most 250 + 2 + 36 octets; a timestamp about 30.
inline constexpr size_t kMaxDetailIdBytes = 300;
inline constexpr size_t kMaxDetailVersionBytes = 64;
inline constexpr size_t kMaxDetailMessageBytes = 1024;

// The custom property naming what a status left out of its lists.
inline constexpr std::string_view kDetailsOmittedProperty = "x_kizuna_details_omitted";

// Returns the start of a status detail, `{"id":...,"version":...`, each field cut to its
// bound, without message and closing brace.
std::string DetailHead(std::string_view id, std::string_view version);

class DetailList {
 public:
  explicit DetailList(size_t max_details) : max_details_(max_details) {}

  // Adds the entry `head` (from DetailHead) with `message` (none when empty, cut to
  // kMaxDetailMessageBytes), or only counts it once the list holds `max_details` entries.
  void Append(std::string_view head, std::string_view message);

  size_t kept() const { return kept_; }
  size_t omitted() const { return omitted_; }
  // The list's JSON array.
  std::string Json() const { return json_ + ']'; }

 private:
  size_t max_details_;
  size_t kept_ = 0;
  size_t omitted_ = 0;
  std::string json_ = "[";
};

// Adds an entry to `list` (DetailList::Append).
inline void AppendDetail(std::string_view head, std::string_view message, DetailList& list) {
  list.Append(head, message);
}

// Returns store::StatusRecord::details_json of a status with these lists: `"successes":[...],
// "failures":[...]` and, when entries were left out, the custom property above.
std::string DetailsJson(const DetailList& successes, const DetailList& failures);

}  // namespace kizuna::taxii::taxii_internal
