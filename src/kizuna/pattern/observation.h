// Kizuna. Observations: what STIX patterns are evaluated against, independent of JSON.
#pragma once

// An Observation is one observed-data (STIX 2.1 §4.14) as the evaluator sees it: its id,
// first/last observed times, number_observed, and its cyber-observable objects (SCOs), each a
// tree of typed values (null, bool, int, float, string, binary, list, object). Readers that
// start from JSON use observation_json.h; the detection engine builds observations straight
// from telemetry records with the Add* calls, e.g. for a Zeek dns record:
//
//   Observation obs;                       // reuse one per thread: Clear() keeps capacity
//   obs.SetId("observed-data--...");
//   obs.SetTimes(ts, ts);
//   obs.SetCount(1);
//   NodeId dn = obs.AddSco("domain-name", "domain-name--0");
//   obs.AddString(dn, "value", "example.com");
//   NodeId nt = obs.AddSco("network-traffic", "network-traffic--0");
//   obs.AddString(nt, "dst_ref", "ipv4-addr--0");   // references name another SCO's key
//   NodeId protocols = obs.AddList(nt, "protocols");
//   obs.AddString(protocols, "", "udp");
//
// Construction is cheap: all nodes of an observation live in one vector and all strings in
// one buffer, so building it costs a few amortised appends per value and no allocation once
// the buffers have grown; a property lookup is a scan of the object's members.
//
// Conventions the evaluator relies on:
//   * AddSco adds a "type" member; add "id" yourself if patterns may test it.
//   * A reference (`*_ref` string, `*_refs` list of strings) names the key of another SCO of
//     the same observation (its id in STIX 2.1, its `objects` key in 2.0).
//   * AddString on a key ending in "_hex" or "_bin" stores the decoded bytes as binary when
//     the text is valid hex / padded base64 (STIX §9.6.3); otherwise the string is kept.
//
// Limits: at most kMaxNodes values and kMaxBytes of strings per observation. Past either,
// the Add* calls do nothing and return kNoNode, and overflowed() turns true; callers
// (observation_json.h does) report that as an error instead of evaluating a truncated
// observation.
//
// Thread-safety: building is single-threaded; a built observation may be read (evaluated)
// by many threads at once.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/stix/timestamp.h"

namespace kizuna::pattern {

enum class ValueKind : uint8_t { kNull, kBool, kInt, kFloat, kString, kBinary, kList, kObject };

class Observation {
 public:
  using NodeId = uint32_t;
  static constexpr NodeId kNoNode = 0xFFFFFFFFu;
  static constexpr size_t kMaxNodes = 16u * 1024 * 1024;
  static constexpr size_t kMaxBytes = 1024u * 1024 * 1024;
  static constexpr uint32_t kMaxCount = 999'999'999;  // number_observed range is 1..this

  // ---- metadata ----
  void SetId(std::string_view id) { id_.assign(id); }
  // REQUIRES: first <= last.
  void SetTimes(const stix::Timestamp& first, const stix::Timestamp& last) {
    first_ = first;
    last_ = last;
  }
  // REQUIRES: 1 <= count <= kMaxCount.
  void SetCount(uint32_t count) { count_ = count; }

  std::string_view id() const { return id_; }
  const stix::Timestamp& first_observed() const { return first_; }
  const stix::Timestamp& last_observed() const { return last_; }
  uint32_t count() const { return count_; }

  // Removes everything, keeping the buffers' capacity for the next observation.
  void Clear();

  // ---- building ----
  // Adds an SCO of `type` whose references are resolved by `key`. Returns its object node.
  NodeId AddSco(std::string_view type, std::string_view key);
  // Each adds a value under `parent` (an object or list node) and returns it. For a list
  // parent `key` is ignored. A kNoNode parent is ignored (returns kNoNode).
  NodeId AddNull(NodeId parent, std::string_view key);
  NodeId AddBool(NodeId parent, std::string_view key, bool value);
  NodeId AddInt(NodeId parent, std::string_view key, int64_t value);
  NodeId AddFloat(NodeId parent, std::string_view key, double value);
  NodeId AddString(NodeId parent, std::string_view key, std::string_view value);
  NodeId AddBinary(NodeId parent, std::string_view key, std::string_view bytes);
  NodeId AddObject(NodeId parent, std::string_view key);
  NodeId AddList(NodeId parent, std::string_view key);

  // Copies SCO `sco` of `other` (its whole value tree) into this observation and returns
  // its index here. Used to assemble STIX 2.1 observations from shared SCOs.
  size_t CopyScoFrom(const Observation& other, size_t sco);

  // True if a limit was hit while building (the observation is then incomplete).
  bool overflowed() const { return overflowed_; }

  // ---- reading SCOs ----
  size_t sco_count() const { return scos_.size(); }
  NodeId sco_root(size_t i) const { return scos_[i].root; }
  std::string_view sco_type(size_t i) const { return Str(scos_[i].type); }
  std::string_view sco_key(size_t i) const { return Str(scos_[i].key); }
  uint64_t sco_type_hash(size_t i) const { return scos_[i].type_hash; }
  // Returns the index of the SCO whose key is `key`, or -1.
  int64_t FindSco(std::string_view key) const;
  // One bit per SCO type present (TypeBit of each), for quick "cannot match" tests.
  uint64_t type_mask() const { return type_mask_; }

  // Returns the hash of an SCO type name used by sco_type_hash(); TypeBit is its mask bit.
  static uint64_t TypeHash(std::string_view type);
  static uint64_t TypeBit(uint64_t type_hash) { return uint64_t{1} << (type_hash & 63); }

  // ---- reading values ----
  ValueKind kind(NodeId n) const { return nodes_[n].kind; }
  bool bool_value(NodeId n) const { return nodes_[n].i != 0; }
  int64_t int_value(NodeId n) const { return nodes_[n].i; }
  double float_value(NodeId n) const { return nodes_[n].d; }
  // The text of a kString node or the bytes of a kBinary node.
  std::string_view string_value(NodeId n) const { return Str(nodes_[n].str); }
  // The member name of an object member; empty for list elements and SCO roots.
  std::string_view key(NodeId n) const { return Str(nodes_[n].key); }
  // Children of a kList or kObject node, in insertion order: first_child, then next_sibling
  // until kNoNode.
  NodeId first_child(NodeId n) const { return nodes_[n].first_child; }
  NodeId next_sibling(NodeId n) const { return nodes_[n].next; }
  uint32_t child_count(NodeId n) const { return nodes_[n].child_count; }
  // Returns the member `key` of object `n` (the first, if repeated), or kNoNode.
  NodeId FindMember(NodeId n, std::string_view key) const;
  // Returns element `index` of list `n`, or kNoNode when out of range.
  NodeId ListElement(NodeId n, uint64_t index) const;
  size_t node_count() const { return nodes_.size(); }

 private:
  struct Span {
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  struct Node {
    ValueKind kind = ValueKind::kNull;
    Span key;
    NodeId next = kNoNode;
    NodeId first_child = kNoNode;
    NodeId last_child = kNoNode;
    uint32_t child_count = 0;
    Span str;
    union {
      int64_t i = 0;
      double d;
    };
  };
  struct Sco {
    Span type;
    Span key;
    NodeId root = kNoNode;
    uint64_t type_hash = 0;
  };

  std::string_view Str(Span s) const { return std::string_view(pool_.data() + s.offset, s.size); }
  bool Append(std::string_view text, Span& out);
  NodeId NewNode(NodeId parent, std::string_view key, ValueKind kind);
  void CopyChildren(const Observation& other, NodeId from, NodeId to, bool skip_type);

  std::string id_;
  stix::Timestamp first_;
  stix::Timestamp last_;
  uint32_t count_ = 1;
  std::vector<Node> nodes_;
  std::string pool_;
  std::vector<Sco> scos_;
  uint64_t type_mask_ = 0;
  bool overflowed_ = false;
};

}  // namespace kizuna::pattern
