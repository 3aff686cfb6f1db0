// Kizuna.
#include "kizuna/base/arena.h"

#include <cstdint>

namespace kizuna {

void* Arena::Allocate(size_t bytes, size_t alignment) {
  if (bytes == 0) bytes = 1;
  const size_t misalign = reinterpret_cast<uintptr_t>(ptr_) & (alignment - 1);
  const size_t pad = misalign == 0 ? 0 : alignment - misalign;
  if (ptr_ != nullptr && bytes + pad <= remaining_) {
    char* out = ptr_ + pad;
    ptr_ += bytes + pad;
    remaining_ -= bytes + pad;
    return out;
  }
  if (bytes > kBlockBytes / 4) {
    // Large objects get a block of their own so the current block's tail is not wasted.
    return NewBlock(bytes + alignment);  // new[] memory is max_align_t aligned
  }
  ptr_ = NewBlock(kBlockBytes);
  remaining_ = kBlockBytes;
  char* out = ptr_;
  ptr_ += bytes;
  remaining_ -= bytes;
  return out;
}

std::string_view Arena::CopyString(std::string_view text) {
  if (text.empty()) return {};
  char* mem = static_cast<char*>(Allocate(text.size(), 1));
  std::memcpy(mem, text.data(), text.size());
  return {mem, text.size()};
}

char* Arena::NewBlock(size_t bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes));
  memory_usage_ += bytes;
  return blocks_.back().get();
}

}  // namespace kizuna
