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
// Construction is cheap: all values of an observation live in one vector of 32-byte nodes
// and all strings in one buffer (up to four SCOs are described inline), so building costs a
// few amortised appends per value and no allocation once the buffers have grown; a property
// lookup is a scan of the object's members. To keep many observations for evaluation, build
// each in a reused scratch Observation and copy it into its container: the copy allocates
// its two buffers once, at their final size, next to each other, and evaluation over many
// observations runs about twice as fast as over ones whose buffers grew in place.
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

#include "absl/container/inlined_vector.h"
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
  void SetId(std::string_view id) { Append(id, id_); }
  // REQUIRES: first <= last.
  void SetTimes(const stix::Timestamp& first, const stix::Timestamp& last) {
    first_ = first;
    last_ = last;
  }
  // REQUIRES: 1 <= count <= kMaxCount.
  void SetCount(uint32_t count) { count_ = count; }

  std::string_view id() const { return Str(id_); }
  const stix::Timestamp& first_observed() const { return first_; }
  const stix::Timestamp& last_observed() const { return last_; }
  uint32_t count() const { return count_; }

  // Removes everything, keeping the buffers' capacity for the next observation.
  void Clear();

  // ---- building ----
  // Adds an SCO of `type` whose references are resolved by `key`. Returns its object node.
  NodeId AddSco(std::string_view type, std::string_view key);
  // Each adds a value under `parent` (an object or list node) and returns it. For a list
  // parent `key` is ignored. A parent that is kNoNode or not a container is ignored (returns
  // kNoNode).
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
  // until kNoNode. Other kinds have none.
  NodeId first_child(NodeId n) const { return IsContainer(n) ? nodes_[n].kids.first : kNoNode; }
  NodeId next_sibling(NodeId n) const { return nodes_[n].next; }
  uint32_t child_count(NodeId n) const { return IsContainer(n) ? nodes_[n].child_count : 0; }
  // Returns the member `key` of object `n` (the first, if repeated), or kNoNode.
  NodeId FindMember(NodeId n, std::string_view key) const {
    if (nodes_[n].kind != ValueKind::kObject) return kNoNode;
    const uint32_t tag = KeyTag(key);
    for (NodeId c = nodes_[n].kids.first; c != kNoNode; c = nodes_[c].next) {
      const Node& member = nodes_[c];
      // Length and first four bytes are in the node; only longer keys read the string.
      if (member.key.size == key.size() && member.key_tag == tag &&
          (key.size() <= 4 || SameBytes(Str(member.key), key))) {
        return c;
      }
    }
    return kNoNode;
  }
  // Returns element `index` of list `n`, or kNoNode when out of range.
  NodeId ListElement(NodeId n, uint64_t index) const;
  // One more than the largest NodeId in use.
  size_t node_count() const { return nodes_.size(); }

  // Equality of short strings without a call to memcmp (keys, types, values).
  static bool SameBytes(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    if (n >= 8) {  // 8-byte words, the last one overlapping
      for (size_t i = 0; i + 8 < n; i += 8) {
        if (Load8(x + i) != Load8(y + i)) return false;
      }
      return Load8(x + n - 8) == Load8(y + n - 8);
    }
    if (n >= 4) return Load4(x) == Load4(y) && Load4(x + n - 4) == Load4(y + n - 4);
    for (size_t i = 0; i < n; ++i) {
      if (x[i] != y[i]) return false;
    }
    return true;
  }

 private:
  struct Span {  // trivial, so it can sit in Node's union
    uint32_t offset;
    uint32_t size;
  };
  struct Children {
    NodeId first;
    NodeId last;
  };
  struct Node {  // 32 bytes
    ValueKind kind = ValueKind::kNull;
    NodeId next = kNoNode;
    Span key{};
    union {
      int64_t i = 0;   // kBool, kInt
      double d;        // kFloat
      Span str;        // kString, kBinary
      Children kids;   // kList, kObject
    };
    uint32_t child_count = 0;
    uint32_t key_tag = 0;  // KeyTag(key)
  };
  struct Sco {
    Span type{};
    Span key{};
    NodeId root = kNoNode;
    uint64_t type_hash = 0;
  };

  static uint64_t Load8(const char* p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
  }
  static uint32_t Load4(const char* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
  }
  // The first (up to) four bytes of a key, zero-padded: with the length, the whole key when
  // it is that short.
  static uint32_t KeyTag(std::string_view key) {
    if (key.size() >= 4) return Load4(key.data());
    uint32_t v = 0;
    __builtin_memcpy(&v, key.data(), key.size());
    return v;
  }
  std::string_view Str(Span s) const { return std::string_view(pool_.data() + s.offset, s.size); }
  bool IsContainer(NodeId n) const {
    return nodes_[n].kind == ValueKind::kList || nodes_[n].kind == ValueKind::kObject;
  }
  bool Append(std::string_view text, Span& out);
  NodeId NewNode(NodeId parent, std::string_view key, ValueKind kind);
  void CopyChildren(const Observation& other, NodeId from, NodeId to, bool skip_type);
  // CopyScoFrom's fast path; false when it does not apply (nothing is copied then).
  bool CopyOnlySco(const Observation& other);

  Span id_{};
  stix::Timestamp first_;
  stix::Timestamp last_;
  uint32_t count_ = 1;
  std::vector<Node> nodes_;
  std::string pool_;
  absl::InlinedVector<Sco, 4> scos_;
  uint64_t type_mask_ = 0;
  bool overflowed_ = false;
};

}  // namespace kizuna::pattern
