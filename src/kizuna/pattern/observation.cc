// Kizuna.
#include "kizuna/pattern/observation.h"

#include <optional>

#include "kizuna/base/digest.h"

namespace kizuna::pattern {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void Observation::Clear() {
  id_ = Span{};
  first_ = last_ = stix::Timestamp{};
  count_ = 1;
  nodes_.clear();
  pool_.clear();
  scos_.clear();
  type_mask_ = 0;
  overflowed_ = false;
}

uint64_t Observation::TypeHash(std::string_view type) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (char c : type) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

bool Observation::Append(std::string_view text, Span& out) {
  if (pool_.size() + text.size() > kMaxBytes) {
    overflowed_ = true;
    return false;
  }
  out.offset = static_cast<uint32_t>(pool_.size());
  out.size = static_cast<uint32_t>(text.size());
  pool_.append(text);
  return true;
}

Observation::NodeId Observation::NewNode(NodeId parent, std::string_view key, ValueKind kind) {
  if (overflowed_ || nodes_.size() >= kMaxNodes) {
    overflowed_ = true;
    return kNoNode;
  }
  if (parent != kNoNode && (parent >= nodes_.size() || !IsContainer(parent))) return kNoNode;
  Node node;
  node.kind = kind;
  if (parent != kNoNode && nodes_[parent].kind == ValueKind::kObject) {
    if (!Append(key, node.key)) return kNoNode;
    node.key_tag = KeyTag(key);
  }
  const NodeId id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(node);
  if (kind == ValueKind::kList || kind == ValueKind::kObject) {
    nodes_[id].kids = Children{kNoNode, kNoNode};
  }
  if (parent != kNoNode) {
    Node& p = nodes_[parent];
    if (p.kids.last == kNoNode) {
      p.kids.first = id;
    } else {
      nodes_[p.kids.last].next = id;
    }
    p.kids.last = id;
    ++p.child_count;
  }
  return id;
}

Observation::NodeId Observation::AddSco(std::string_view type, std::string_view key) {
  Sco sco;
  if (!Append(type, sco.type) || !Append(key, sco.key)) return kNoNode;
  sco.root = NewNode(kNoNode, {}, ValueKind::kObject);
  if (sco.root == kNoNode) return kNoNode;
  sco.type_hash = TypeHash(type);
  type_mask_ |= TypeBit(sco.type_hash);
  scos_.push_back(sco);
  AddString(sco.root, "type", type);
  return sco.root;
}

Observation::NodeId Observation::AddNull(NodeId parent, std::string_view key) {
  if (parent == kNoNode) return kNoNode;
  return NewNode(parent, key, ValueKind::kNull);
}

Observation::NodeId Observation::AddBool(NodeId parent, std::string_view key, bool value) {
  if (parent == kNoNode) return kNoNode;
  NodeId n = NewNode(parent, key, ValueKind::kBool);
  if (n != kNoNode) nodes_[n].i = value ? 1 : 0;
  return n;
}

Observation::NodeId Observation::AddInt(NodeId parent, std::string_view key, int64_t value) {
  if (parent == kNoNode) return kNoNode;
  NodeId n = NewNode(parent, key, ValueKind::kInt);
  if (n != kNoNode) nodes_[n].i = value;
  return n;
}

Observation::NodeId Observation::AddFloat(NodeId parent, std::string_view key, double value) {
  if (parent == kNoNode) return kNoNode;
  NodeId n = NewNode(parent, key, ValueKind::kFloat);
  if (n != kNoNode) nodes_[n].d = value;
  return n;
}

Observation::NodeId Observation::AddString(NodeId parent, std::string_view key,
                                           std::string_view value) {
  if (parent == kNoNode) return kNoNode;
  if (parent < nodes_.size() && nodes_[parent].kind == ValueKind::kObject) {
    std::optional<std::string> bytes;
    if (EndsWith(key, "_hex")) {
      bytes = HexDecode(value);
    } else if (EndsWith(key, "_bin")) {
      bytes = Base64Decode(value);
    }
    if (bytes.has_value()) return AddBinary(parent, key, *bytes);
  }
  NodeId n = NewNode(parent, key, ValueKind::kString);
  if (n != kNoNode && !Append(value, nodes_[n].str)) return kNoNode;
  return n;
}

Observation::NodeId Observation::AddBinary(NodeId parent, std::string_view key,
                                           std::string_view bytes) {
  if (parent == kNoNode) return kNoNode;
  NodeId n = NewNode(parent, key, ValueKind::kBinary);
  if (n != kNoNode && !Append(bytes, nodes_[n].str)) return kNoNode;
  return n;
}

Observation::NodeId Observation::AddObject(NodeId parent, std::string_view key) {
  if (parent == kNoNode) return kNoNode;
  return NewNode(parent, key, ValueKind::kObject);
}

Observation::NodeId Observation::AddList(NodeId parent, std::string_view key) {
  if (parent == kNoNode) return kNoNode;
  return NewNode(parent, key, ValueKind::kList);
}

size_t Observation::CopyScoFrom(const Observation& other, size_t sco) {
  if (CopyOnlySco(other)) return scos_.size() - 1;
  const NodeId root = AddSco(other.sco_type(sco), other.sco_key(sco));
  CopyChildren(other, other.sco_root(sco), root, /*skip_type=*/true);
  return scos_.size() - 1;
}

bool Observation::CopyOnlySco(const Observation& other) {
  // Only for an observation holding one SCO whose root has one "type" member, its first
  // (as AddSco made it): then every node and string is that SCO's, and the copy is its
  // nodes and strings appended whole, with their indexes and offsets moved.
  if (other.scos_.size() != 1 || overflowed_ || other.overflowed_) return false;
  const NodeId from = other.scos_[0].root;
  const NodeId type = other.FindMember(from, "type");
  if (type != other.nodes_[from].kids.first) return false;
  for (NodeId c = other.nodes_[type].next; c != kNoNode; c = other.nodes_[c].next) {
    if (other.key(c) == "type") return false;
  }
  if (nodes_.size() + other.nodes_.size() > kMaxNodes ||
      pool_.size() + other.pool_.size() > kMaxBytes) {
    return false;  // the node-by-node copy reaches the limit and says so
  }
  const NodeId base = static_cast<NodeId>(nodes_.size());
  const uint32_t offset = static_cast<uint32_t>(pool_.size());
  auto move = [base](NodeId n) { return n == kNoNode ? kNoNode : n + base; };
  pool_.append(other.pool_);
  nodes_.resize(base + other.nodes_.size());
  for (size_t i = 0; i < other.nodes_.size(); ++i) {
    Node node = other.nodes_[i];
    node.next = move(node.next);
    node.key.offset += offset;
    if (node.kind == ValueKind::kString || node.kind == ValueKind::kBinary) {
      node.str.offset += offset;
    } else if (node.kind == ValueKind::kList || node.kind == ValueKind::kObject) {
      node.kids = Children{move(node.kids.first), move(node.kids.last)};
    }
    nodes_[base + i] = node;
  }
  Sco copy = other.scos_[0];
  copy.type.offset += offset;
  copy.key.offset += offset;
  copy.root = move(copy.root);
  type_mask_ |= TypeBit(copy.type_hash);
  scos_.push_back(copy);
  return true;
}

void Observation::CopyChildren(const Observation& other, NodeId from, NodeId to,
                               bool skip_type) {
  if (to == kNoNode) return;
  for (NodeId c = other.first_child(from); c != kNoNode; c = other.next_sibling(c)) {
    const std::string_view k = other.key(c);
    if (skip_type && k == "type") continue;
    switch (other.kind(c)) {
      case ValueKind::kNull: AddNull(to, k); break;
      case ValueKind::kBool: AddBool(to, k, other.bool_value(c)); break;
      case ValueKind::kInt: AddInt(to, k, other.int_value(c)); break;
      case ValueKind::kFloat: AddFloat(to, k, other.float_value(c)); break;
      case ValueKind::kString: {
        // Bypass AddString's _hex/_bin decoding: the source already decided.
        NodeId n = NewNode(to, k, ValueKind::kString);
        if (n != kNoNode) Append(other.string_value(c), nodes_[n].str);
        break;
      }
      case ValueKind::kBinary: AddBinary(to, k, other.string_value(c)); break;
      case ValueKind::kList: CopyChildren(other, c, AddList(to, k), false); break;
      case ValueKind::kObject: CopyChildren(other, c, AddObject(to, k), false); break;
    }
  }
}

int64_t Observation::FindSco(std::string_view key) const {
  for (size_t i = 0; i < scos_.size(); ++i) {
    if (SameBytes(Str(scos_[i].key), key)) return static_cast<int64_t>(i);
  }
  return -1;
}

Observation::NodeId Observation::ListElement(NodeId n, uint64_t index) const {
  if (nodes_[n].kind != ValueKind::kList || index >= nodes_[n].child_count) return kNoNode;
  NodeId c = nodes_[n].kids.first;
  while (index-- > 0) c = nodes_[c].next;
  return c;
}

}  // namespace kizuna::pattern
