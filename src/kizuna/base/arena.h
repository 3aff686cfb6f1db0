// Kizuna. An arena for many small objects that share one lifetime (pattern ASTs).
#pragma once

// Objects are carved out of large blocks and all freed together when the arena dies, so a
// tree of thousands of nodes costs a handful of allocations and no per-node frees. Only
// trivially destructible types may live here (their destructors would never run), so arena
// objects hold std::string_view and std::span into the arena, never std::string or
// std::vector.
//
//   Arena arena;
//   Node* n = arena.New<Node>(Node{...});
//   std::string_view s = arena.CopyString(text);
//
// Thread-safety: an Arena is not thread-safe while being filled; once filled, reading the
// objects in it from many threads is safe. Pointers stay valid until the arena is destroyed.

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kizuna {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` of uninitialised memory aligned for any object; never null.
  void* Allocate(size_t bytes, size_t alignment = alignof(std::max_align_t));

  // Constructs a T in the arena from `args` and returns it.
  template <typename T, typename... Args>
  T* New(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    void* mem = Allocate(sizeof(T), alignof(T));
    return std::construct_at(static_cast<T*>(mem), std::forward<Args>(args)...);
  }

  // Returns an array of `n` value-initialised T.
  template <typename T>
  std::span<T> NewArray(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (n == 0) return {};
    T* first = static_cast<T*>(Allocate(sizeof(T) * n, alignof(T)));
    for (size_t i = 0; i < n; ++i) std::construct_at(first + i);
    return {first, n};
  }

  // Returns a copy of `items` in the arena.
  template <typename T>
  std::span<const T> CopyArray(std::span<const T> items) {
    std::span<T> out = NewArray<T>(items.size());
    for (size_t i = 0; i < items.size(); ++i) out[i] = items[i];
    return out;
  }

  // Returns a copy of `text` that lives as long as the arena.
  std::string_view CopyString(std::string_view text);

  // Bytes requested from the system so far (blocks, including unused tails).
  size_t MemoryUsage() const { return memory_usage_; }

 private:
  static constexpr size_t kBlockBytes = 4096;

  char* NewBlock(size_t bytes);

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  size_t memory_usage_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace kizuna
