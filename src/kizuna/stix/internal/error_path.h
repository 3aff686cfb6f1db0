// Kizuna. The property path of the value being validated, for error messages.
#pragma once

// The validator pushes a segment when it enters a member or list item and pops it when it
// leaves; only when a check fails is the path formatted, e.g.
// `external_references[2].source_name`, `kill_chain_phases[0]`, `hashes.SHA-256`.
// Pushing and popping never allocate.
//
// Thread-safety: not thread-safe; one ErrorPath per validation.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "kizuna/base/limits.h"

namespace kizuna::stix_internal {

class ErrorPath {
 public:
  void PushKey(std::string_view key) { Push(Segment{key.data(), key.size(), 0, false}); }
  void PushIndex(size_t index) { Push(Segment{nullptr, 0, index, true}); }
  // REQUIRES: a matching Push.
  void Pop() { --size_; }
  bool empty() const { return size_ == 0; }

  // Returns the path, e.g. "external_references[2].source_name"; "(object)" when empty.
  // Member names are shown as received (control characters escaped, long ones shortened).
  std::string ToString() const;

 private:
  // Trivial, so the array below is not cleared when a Validator is made.
  struct Segment {
    const char* key_data;
    size_t key_size;
    size_t index;
    bool is_index;
  };
  // Depth is bounded by kMaxJsonDepth (checked by the validator); a few more segments allow
  // for names the validator appends to the deepest value.
  static constexpr size_t kCapacity = limits::kMaxJsonDepth + 4;

  void Push(Segment segment) {
    if (size_ < kCapacity) segments_[size_] = segment;
    ++size_;
  }

  std::array<Segment, kCapacity> segments_;
  size_t size_ = 0;
};

// Returns `text` for a message: at most `max_bytes` bytes (then "..."), control characters
// and quotes escaped. Used for every value and name taken from the input.
std::string Printable(std::string_view text, size_t max_bytes = 80);

}  // namespace kizuna::stix_internal
