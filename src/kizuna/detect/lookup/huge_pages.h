// Kizuna. The allocator of the lookup tables' large arrays: transparent huge pages.
#pragma once

// A snapshot of a million indicators holds tens of megabytes of buckets and records, and
// each lookup touches one random place in them. With 4 KiB pages nearly every lookup then
// misses the TLB as well as the cache, and the page walk costs as much as the miss. Arrays
// of 2 MiB or more are therefore mapped 2 MiB-aligned and advised as huge pages
// (madvise MADV_HUGEPAGE): a few dozen TLB entries then cover the whole snapshot. Where
// transparent huge pages are off, the advice is ignored and nothing else changes. Smaller
// arrays come from the ordinary allocator.
//
//   HugeVector<uint64_t> buckets(1 << 20);
//
// Thread-safety: stateless.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace kizuna::detect {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) return std::allocator<T>().allocate(n);
    // Fresh pages from mmap: memory the heap hands back may already be mapped with small
    // pages, which the advice does not change. Map one huge page more than needed and
    // unmap what lies outside the aligned range.
    const size_t rounded = Rounded(bytes);
    void* mapped = mmap(nullptr, rounded + kHugePageBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    char* const start = static_cast<char*>(mapped);
    char* const aligned = reinterpret_cast<char*>(
        (reinterpret_cast<uintptr_t>(start) + kHugePageBytes - 1) & ~(kHugePageBytes - 1));
    if (aligned > start) munmap(start, static_cast<size_t>(aligned - start));
    const size_t tail = static_cast<size_t>(start + kHugePageBytes - aligned);
    if (tail > 0) munmap(aligned + rounded, tail);
    madvise(aligned, rounded, MADV_HUGEPAGE);  // advice: failing changes nothing
    return reinterpret_cast<T*>(aligned);
  }

  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) {
      std::allocator<T>().deallocate(p, n);
    } else {
      munmap(p, Rounded(bytes));
    }
  }

  static size_t Rounded(size_t bytes) {
    return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace kizuna::detect
