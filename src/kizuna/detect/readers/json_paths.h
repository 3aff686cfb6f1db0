// Kizuna. The fields of one JSON log type that a field map names.
#pragma once

// JsonPaths resolves, once per log type, which dotted paths (json_reader.h) have a Role,
// and keeps them as a tree of their dot-separated steps, whose inner nodes are the proper
// prefixes ("dns" and "dns.answers" for "dns.answers.rdata"; "id" for "id.orig_h"). A
// reader walking a JSON object asks for the child of the current node by each key, so it
// descends only into values that lead to a mapped field, skips the rest unparsed, and never
// builds path strings. A key holding dots ("id.orig_h" in Zeek JSON) takes several steps,
// so it is the same path as the nested form. Roles resolve as they always have: the user
// map first, then the built-in map (none for JSON lines).
//
// Thread-safety: immutable after construction.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/detect/field_map.h"

namespace kizuna::detect {

inline constexpr uint16_t kNoField = 0xFFFF;

struct JsonPath {
  uint32_t node = 0;          // this path's node, the parent of its children
  Role role = Role::kNone;    // kNone: only a prefix of mapped paths
  uint16_t field = kNoField;  // index into names(), when role is set
  bool descend = false;       // a prefix of a mapped path: look inside objects and arrays
};

class JsonPaths {
 public:
  // `user_map` and `builtin` may be null (no such map).
  JsonPaths(std::string_view log_type, const FieldMap* user_map, const FieldMap* builtin);
  JsonPaths(const JsonPaths&) = delete;
  JsonPaths& operator=(const JsonPaths&) = delete;

  // The node of the empty path (the top-level object).
  static constexpr uint32_t kRoot = 0;

  // Returns the entry of the path of `parent` extended by `key` (dots in the key are steps),
  // or null when that path neither has a role nor leads to one.
  const JsonPath* Child(uint32_t parent, std::string_view key) const;
  // As Child, for a key without dots (one step), whose 8 bytes from key.data() may be
  // read (a JSON line's padding allows it). REQUIRES: key holds no '.'.
  const JsonPath* ChildStepPadded(uint32_t parent, std::string_view key) const {
    const Node* node = Step(parent, key, Head(key.data(), key.size()));
    return node == nullptr ? nullptr : &node->path;
  }
  // The first 8 bytes of a step of `size` bytes at `p` as one word (zeros past its end),
  // reading 8 bytes: two steps of 8 bytes or fewer are equal when their sizes and heads are.
  static uint64_t Head(const char* p, size_t size) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    return size >= 8 ? word : word & ((uint64_t{1} << (8 * size)) - 1);
  }
  // Returns the entry of a whole dotted path, or null (as Child from kRoot).
  const JsonPath* Find(std::string_view path) const { return Child(kRoot, path); }
  const std::string& log_type() const { return log_type_; }
  // The field names, for Record::field_names.
  const std::vector<std::string>& names() const { return names_; }

 private:
  // A step is compared as its size, its first 8 bytes as one word (zeros past its end) and
  // its other bytes: most keys are 8 bytes or fewer, so one compare of two words.
  struct Node {
    JsonPath path;
    uint32_t parent = 0;
    uint64_t head = 0;
    std::string step;
  };
  // As Head, reading only the step's bytes.
  static uint64_t SafeHead(std::string_view step) {
    uint64_t word = 0;
    std::memcpy(&word, step.data(), std::min<size_t>(step.size(), 8));
    return word;
  }
  // Returns the child of `parent` by one step (no dots) whose Head is `head`, or null.
  const Node* Step(uint32_t parent, std::string_view step, uint64_t head) const;
  // Returns the node of `path` below the root, adding the missing ones.
  Node& Add(std::string_view path);
  static uint64_t HashStep(uint32_t parent, size_t size, uint64_t head);
  void Index();

  std::string log_type_;
  std::vector<Node> nodes_;       // [0] is the root
  std::vector<uint32_t> table_;   // open addressing over nodes_ by (parent, step); 0 = empty
  std::vector<std::string> names_;
};

}  // namespace kizuna::detect
