// Kizuna. Text copied out of parse buffers, with stable addresses until Clear().
#pragma once

// Readers hand out string_views into their input; values that had to be rewritten (JSON
// escapes undone, composed URLs) are copied here instead. Copies never move, so views stay
// valid while more text is added; Clear() reuses the memory for the next batch.
// Thread-safety: one thread.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace kizuna::detect_internal {

class TextPool {
 public:
  std::string_view Copy(std::string_view text) {
    if (text.size() > left_) NewChunk(text.size());
    char* at = chunks_[used_ - 1].data.get() + (chunks_[used_ - 1].size - left_);
    if (!text.empty()) std::memcpy(at, text.data(), text.size());
    left_ -= text.size();
    return std::string_view(at, text.size());
  }
  void Clear() {
    used_ = 0;
    left_ = 0;
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  void NewChunk(size_t at_least) {
    if (used_ < chunks_.size() && chunks_[used_].size >= at_least) {
      left_ = chunks_[used_++].size;
      return;
    }
    const size_t size = at_least > kChunk ? at_least : kChunk;
    Chunk c{std::make_unique<char[]>(size), size};
    if (used_ < chunks_.size()) {
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(used_), std::move(c));
    } else {
      chunks_.push_back(std::move(c));
    }
    ++used_;
    left_ = size;
  }

  std::vector<Chunk> chunks_;
  size_t used_ = 0;  // chunks in use; the last one has left_ bytes free
  size_t left_ = 0;
};

}  // namespace kizuna::detect_internal
