// Kizuna.
#include "kizuna/detect/readers/json_paths.h"

#include "kizuna/detect/lookup/hash.h"

namespace kizuna::detect {

JsonPaths::JsonPaths(std::string_view log_type, const FieldMap* user_map,
                     const FieldMap* builtin)
    : log_type_(log_type) {
  nodes_.emplace_back();
  nodes_[kRoot].path.descend = true;
  std::vector<std::string> fields;
  for (const FieldMap* map : {user_map, builtin}) {
    if (map == nullptr) continue;
    std::vector<std::string> more = map->Fields(log_type);
    fields.insert(fields.end(), more.begin(), more.end());
  }
  for (const std::string& field : fields) {
    Role role = user_map != nullptr ? user_map->Find(log_type, field) : Role::kNone;
    if (role == Role::kNone && builtin != nullptr) role = builtin->Find(log_type, field);
    if (role == Role::kNone || names_.size() >= kNoField) continue;
    JsonPath& entry = Add(field).path;
    if (entry.role != Role::kNone) continue;  // named by both maps
    entry.role = role;
    entry.field = static_cast<uint16_t>(names_.size());
    names_.push_back(field);
  }
  Index();
}

uint64_t JsonPaths::HashStep(uint32_t parent, size_t size, uint64_t head) {
  return HashMix(head ^ 0x9E3779B97F4A7C15ull,
                 (uint64_t{parent} << 32 | size) ^ 0xC2B2AE3D27D4EB4Full);
}

JsonPaths::Node& JsonPaths::Add(std::string_view path) {
  uint32_t at = kRoot;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string_view step = path.substr(start, dot - start);
    uint32_t next = 0;
    for (uint32_t i = 1; i < nodes_.size(); ++i) {  // building only: a few dozen nodes
      if (nodes_[i].parent == at && nodes_[i].step == step) next = i;
    }
    if (next == 0) {
      next = static_cast<uint32_t>(nodes_.size());
      Node& node = nodes_.emplace_back();
      node.path.node = next;
      node.parent = at;
      node.step = std::string(step);
      node.head = SafeHead(step);
    }
    if (dot == std::string_view::npos) return nodes_[next];
    nodes_[next].path.descend = true;
    at = next;
    start = dot + 1;
  }
}

void JsonPaths::Index() {
  size_t size = 8;
  while (size < nodes_.size() * 2) size *= 2;
  table_.assign(size, 0);
  for (uint32_t i = 1; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    size_t at = HashStep(node.parent, node.step.size(), node.head) & (size - 1);
    while (table_[at] != 0) at = (at + 1) & (size - 1);
    table_[at] = i;
  }
}

const JsonPaths::Node* JsonPaths::Step(uint32_t parent, std::string_view step,
                                       uint64_t head) const {
  const size_t mask = table_.size() - 1;
  for (size_t at = HashStep(parent, step.size(), head) & mask; table_[at] != 0;
       at = (at + 1) & mask) {
    const Node& node = nodes_[table_[at]];
    if (node.head == head && node.parent == parent && node.step.size() == step.size() &&
        (step.size() <= 8 ||
         std::memcmp(node.step.data() + 8, step.data() + 8, step.size() - 8) == 0)) {
      return &node;
    }
  }
  return nullptr;
}

const JsonPath* JsonPaths::Child(uint32_t parent, std::string_view key) const {
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string_view step = key.substr(start, dot - start);
    const Node* node = Step(parent, step, SafeHead(step));
    if (node == nullptr) return nullptr;
    if (dot == std::string_view::npos) return &node->path;
    parent = node->path.node;
    start = dot + 1;
  }
}

}  // namespace kizuna::detect
